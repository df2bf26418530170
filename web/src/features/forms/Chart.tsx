import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  name: string;
  values: (number | null)[];
}

/** Bar, line or pie over categories; only the charts used are bundled (echarts/core). */
export function Chart({
  kind,
  categories,
  series,
  height = 320,
}: {
  kind: 'bar' | 'line' | 'pie';
  categories: string[];
  series: Series[];
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const option: echarts.EChartsCoreOption =
      kind === 'pie'
        ? {
            tooltip: { trigger: 'item' },
            legend: { bottom: 0, type: 'scroll' },
            series: [
              {
                type: 'pie',
                radius: ['35%', '65%'],
                data: categories.map((name, i) => ({ name, value: series[0]?.values[i] ?? 0 })),
              },
            ],
          }
        : {
            tooltip: { trigger: 'axis' },
            legend: { bottom: 0, type: 'scroll' },
            grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
            xAxis: { type: 'category', data: categories },
            yAxis: { type: 'value' },
            series: series.map((s) => ({ name: s.name, type: kind, data: s.values })),
          };
    chart.current?.setOption(option, true);
  }, [kind, categories, series]);
  return <div ref={ref} style={{ width: '100%', height }} data-testid="forms-chart" />;
}
