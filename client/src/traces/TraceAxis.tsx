// Time labels over the bars, on the same grid as a row so they line up with the track.
import { formatDuration } from './span-format.ts';

export function AxisHeader({ duration }: { duration: number }) {
  return (
    <div className="span-axis span-line" aria-hidden>
      <div className="span-track">
        {[0, 0.25, 0.5, 0.75].map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            {f === 0 ? '0' : formatDuration(duration * f)}
          </span>
        ))}
      </div>
    </div>
  );
}
