import { useEffect, useRef } from 'preact/hooks';
import { echarts, PALETTE, type EChartsCoreOption } from '../charts/echarts';

declare global {
  interface Window {
    __mizanFirstChart?: number;
  }
}

/**
 * One ECharts instance. The canvas is hidden from assistive technology
 * (aria-hidden): every chart has a table next to it with the same figures.
 */
export function EChart({
  option,
  label,
  height = 420,
  onClick,
  testid,
}: {
  option: EChartsCoreOption;
  label: string;
  height?: number;
  onClick?: (params: { data?: unknown; name?: string; dataIndex?: number }) => void;
  testid?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init>>(undefined);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => click.current?.(p as never));
    c.on('finished', () => {
      if (window.__mizanFirstChart === undefined) {
        window.__mizanFirstChart = performance.now();
        performance.mark('mizan-first-chart');
      }
      el.current?.setAttribute('data-rendered', '1');
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, []);

  useEffect(() => {
    el.current?.removeAttribute('data-rendered');
    chart.current?.setOption({ color: PALETTE, animationDuration: 300, ...option }, true);
  }, [option]);

  return (
    <figure class="chart" aria-label={label}>
      <div ref={el} class="chart-canvas" style={{ height: `${height}px` }} aria-hidden="true" data-testid={testid} />
    </figure>
  );
}
