// Entry point: creates the ZAF client once and hands it to the sidebar.
import { createSidebar, renderOutsideZendesk } from './sidebar.js';

const root = document.getElementById('app');
const client = window.ZAFClient ? window.ZAFClient.init() : false;

if (!client) {
  renderOutsideZendesk(root, navigator.language);
} else {
  const sidebar = createSidebar(client, {
    root,
    ResizeObserver: window.ResizeObserver,
    observed: root,
    // The root's own height: the document's grows with the iframe and would never shrink.
    measure: () => root.offsetHeight,
    onLanguage: (language) => {
      document.documentElement.lang = language;
    },
  });
  sidebar.start().catch((error) => {
    console.error('Customer Health sidebar failed to start', error);
  });
}
