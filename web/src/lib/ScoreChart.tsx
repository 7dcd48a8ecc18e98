import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Score history as a step line (uPlot: ~50 KB, canvas, fast on long series). `points` are [unix seconds, score]. */
export function ScoreChart({ points, label }: { points: [number, number][]; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || points.length === 0) return;
    const width = Math.max(320, el.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        series: [{}, { label, stroke: '#1d4ed8', width: 2, fill: 'rgba(29,78,216,0.08)', paths: uPlot.paths.stepped!({ align: 1 }) }],
        axes: [{}, { label: 'points' }],
        legend: { show: true },
      },
      [points.map((p) => p[0]), points.map((p) => p[1])],
      el.current,
    );
    const resize = () => el.current && plot.setSize({ width: Math.max(320, el.current.clientWidth), height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [points, label]);
  if (points.length === 0) return <p class="muted">No scored activity yet.</p>;
  return (
    <div
      ref={el}
      class="chart"
      role="img"
      aria-label={`${label}: from ${points[0][1]} to ${points[points.length - 1][1]} over ${points.length} scored events`}
    />
  );
}
