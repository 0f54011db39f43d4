/** Entry point: theme first (no flash), then storage and engine, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/app.css';
import { App } from './app/app';
import { bootstrap } from './app/bootstrap';
import { StartupFailure } from './app/startup-failure';
import { applyTheme, loadTheme } from './app/theme';
import { EngineProvider } from './state/engine-provider';

applyTheme(loadTheme(), false);

const container = document.getElementById('root');
if (!container) throw new Error('clavis: #root is missing from index.html');
const root = createRoot(container);

void bootstrap().then((started) => {
  root.render(
    <StrictMode>
      {started.ok ? (
        <EngineProvider engine={started.engine} store={started.store}>
          <App />
        </EngineProvider>
      ) : (
        <StartupFailure error={started.error} />
      )}
    </StrictMode>,
  );
});
