import { render } from 'preact';
import { App } from './App';
import { startStore } from './store';
import './styles.css';

startStore();
render(<App />, document.getElementById('app')!);
