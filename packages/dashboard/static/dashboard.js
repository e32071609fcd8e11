// The dashboard's only script (the CSP allows no other): the logs page's live feed over server-sent
// events. Every page works without it; lines arrive live only with it.

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

/** One feed line, built like the server's (src/pages/logs-page.ts); text only, never HTML. */
function feedLine(entry) {
  const item = document.createElement('li');
  item.className = `feed-line level-${LEVELS.includes(entry.level) ? entry.level : 'info'}`;
  item.dataset.id = String(entry.id);
  const time = document.createElement('time');
  time.dateTime = entry.time;
  time.textContent = String(entry.time).slice(11, 19);
  item.append(time);
  for (const [name, text] of [
    ['level', entry.level],
    ['source', entry.source],
    ['plugin', entry.pluginId ?? '–'],
    ['message', entry.message],
  ]) {
    const span = document.createElement('span');
    span.className = name;
    span.textContent = String(text);
    item.append(' ', span);
  }
  return item;
}

function followFeed(feed) {
  const state = document.getElementById('live-state');
  const say = (text) => {
    if (state) state.textContent = text;
  };
  const source = new EventSource(feed.dataset.stream);
  source.addEventListener('open', () => say('Live: new lines appear below as they happen.'));
  source.addEventListener('error', () => say('Live updates paused; reconnecting…'));
  source.addEventListener('entry', (message) => {
    const entry = JSON.parse(message.data);
    if (feed.querySelector(`[data-id="${Number(entry.id)}"]`)) return;
    feed.append(feedLine(entry));
  });
}

const feed = document.getElementById('feed');
if (feed instanceof HTMLOListElement && feed.dataset.stream) followFeed(feed);
