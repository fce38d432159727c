import { describe, expect, it } from 'vitest';
import { classifyFile } from './classify-file.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('classifyFile: the bytes decide, not the name', () => {
  it('takes raster images by their magic bytes', () => {
    expect(classifyFile(PNG, 'x.txt')).toEqual({ kind: 'image', mime: 'image/png' });
    expect(classifyFile(enc('GIF89a....'), 'a.gif')).toEqual({ kind: 'image', mime: 'image/gif' });
  });

  it('refuses SVG whatever it is called, with or without an XML prolog', () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '\uFEFF<?xml version="1.0"?>\n<svg/>',
      '  <!-- c -->\n<svg/>',
    ]) {
      const c = classifyFile(enc(svg), 'logo.png');
      expect(c.kind === 'refused' && c.code).toBe('ACTIVE_IMAGE');
    }
  });

  it('takes UTF-8 text (source, JSON, Markdown, HTML source) as text', () => {
    for (const t of ['const a = 1;\n', '{"a": "ü"}', '# Title\n', '<!doctype html><p>hi</p>', 'BMI calculator notes\n'])
      expect(classifyFile(enc(t), 'f').kind).toBe('text');
  });

  it('refuses binaries: a NUL byte or invalid UTF-8', () => {
    for (const b of [new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00]), new Uint8Array([0xff, 0xfe, 0xfd, 0x41])]) {
      const c = classifyFile(b, 'x.bin');
      expect(c.kind === 'refused' && c.code).toBe('BINARY');
    }
  });

  it('names image formats it does not take (HEIC from phones, AVIF, BMP, TIFF)', () => {
    const heic = new Uint8Array([0, 0, 0, 24, ...enc('ftypheic'), 0, 0]);
    const c = classifyFile(heic, 'IMG_0001.HEIC');
    expect(c.kind === 'refused' && c.message).toMatch(/IMG_0001\.HEIC is a HEIC image/);
  });

  it('refuses empty and oversized text files with the limit in the message', () => {
    expect(classifyFile(new Uint8Array(), 'e.txt').kind).toBe('refused');
    const big = classifyFile(enc('a'.repeat(300 * 1024)), 'big.log');
    expect(big.kind === 'refused' && big.message).toMatch(/big\.log is 300 KB; text files up to 256 KB/);
  });
});
