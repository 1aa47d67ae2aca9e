/**
 * Charts with Chart.js (only the parts used are registered, to keep the bundle small). Each chart is
 * an image with a label for screen readers, and the same figures as a table they can read.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { tokens } from '@fluentui/react-components';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  values: number[];
  /** A CSS colour; defaults follow the theme's brand and status colours. */
  color?: string;
}

export interface ChartProps {
  kind: 'bar' | 'line';
  /** What the chart shows, in words: the image's accessible name and the table's caption. */
  title: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  height?: number;
  format?: (n: number) => string;
  /** For tests: the chart's figures are also in `data-*` attributes. */
  testId?: string;
}

const visuallyHidden = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' } as const;

function cssVar(el: Element, token: string): string {
  // Fluent tokens are `var(--name)`: Chart.js draws on a canvas and needs the value itself.
  const name = token.replace(/^var\((--[^),]+).*$/, '$1');
  return getComputedStyle(el).getPropertyValue(name).trim() || '#888';
}

export function TabChart({ kind, title, labels, series, stacked, height = 240, format = String, testId }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const palette = [tokens.colorBrandBackground, tokens.colorPaletteRedBackground3, tokens.colorPaletteMarigoldBackground3, tokens.colorPaletteGreenBackground3].map((t) => cssVar(el, t));
    const text = cssVar(el, tokens.colorNeutralForeground2);
    const grid = cssVar(el, tokens.colorNeutralStroke2);
    const config: ChartConfiguration<'bar' | 'line'> = {
      type: kind,
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: s.color ?? palette[i % palette.length], borderColor: s.color ?? palette[i % palette.length], tension: 0.2 })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked, ticks: { color: text }, grid: { color: grid } },
          y: { stacked, beginAtZero: true, ticks: { color: text, callback: (v) => format(Number(v)) }, grid: { color: grid } },
        },
        plugins: { legend: { labels: { color: text } }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format(Number(c.parsed.y))}` } } },
      },
    };
    const chart = new Chart(el, config);
    return () => chart.destroy();
  }, [kind, labels, series, stacked, format]);
  return (
    <figure style={{ margin: 0, position: 'relative' }} data-testid={testId} data-labels={JSON.stringify(labels)} data-series={JSON.stringify(series.map((s) => ({ label: s.label, values: s.values })))}>
      <div style={{ height, position: 'relative' }}>
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <table style={visuallyHidden}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((l, i) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              {series.map((s) => (
                <td key={s.label}>{format(s.values[i] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
