// The charts beyond the overview's treemap, registered when a view that
// draws them is loaded (Explore, Budget vs actual, Trends).
import { echarts } from './echarts';
import { BarChart, LineChart, SankeyChart, SunburstChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent } from 'echarts/components';

echarts.use([BarChart, LineChart, SankeyChart, SunburstChart, GridComponent, LegendComponent, MarkLineComponent]);
