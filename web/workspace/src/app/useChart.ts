//! An ECharts chart on an element for as long as its component lives: made (SVG) when mounted,
//! drawn from `option()` then again whenever `source` changes, resized with its element, and
//! disposed when unmounted. Components register the ECharts parts they use with `use([...])`.

import { init, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue';

export function useChart(
  el: Ref<HTMLElement | null>,
  option: () => EChartsCoreOption,
  source: WatchSource,
  { deep = false, replace = true }: { deep?: boolean; replace?: boolean } = {},
): void {
  let chart: ECharts | null = null;
  let resize: ResizeObserver | null = null;
  // `replace`: a new option replaces the last one whole (series that went away go with it).
  const render = () => chart?.setOption(option(), replace);
  onMounted(() => {
    if (!el.value) return;
    chart = init(el.value, undefined, { renderer: 'svg' });
    render();
    if (typeof ResizeObserver !== 'undefined') {
      resize = new ResizeObserver(() => chart?.resize());
      resize.observe(el.value);
    }
  });
  watch(source, render, { deep });
  onBeforeUnmount(() => {
    resize?.disconnect();
    chart?.dispose();
    chart = null;
  });
}
