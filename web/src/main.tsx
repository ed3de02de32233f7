import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProvider } from './app/provider';
import { AppRouter } from './app/router';
import { loadConfig } from './lib/config';
import { initI18n } from './lib/i18n';
import './styles.css';

async function start() {
  await Promise.all([loadConfig(), initI18n()]);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <AppProvider>
        <AppRouter />
      </AppProvider>
    </StrictMode>,
  );
}

void start();
