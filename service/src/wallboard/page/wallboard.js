// The wallboard: asks `/` for the JSON view at an interval and counts the days itself from the last
// incident's date and today's date in the service's time zone, so it turns over at midnight there
// without a reload. Plain script, no build step, no inline code: the page's CSP allows 'self' only.
'use strict';

(() => {
  const DAY_MS = 86_400_000;
  /** The free-form field that names an incident, the first one present. */
  const MESSAGE_FIELDS = ['title', 'message', 'summary', 'description'];

  const board = document.getElementById('board');
  const byId = (id) => document.getElementById(id);

  /** Refresh interval in seconds: ?refresh=N, else the body's data-refresh-seconds, else 30. */
  function refreshMs() {
    const fromQuery = new URLSearchParams(location.search).get('refresh');
    for (const value of [fromQuery, document.body.dataset.refreshSeconds]) {
      const seconds = Number(value);
      if (value !== null && value !== undefined && value !== '' && seconds > 0) return seconds * 1000;
    }
    return 30_000;
  }

  /** Written only when it changes, so a screen reader hears a change and not every tick. */
  function setText(id, text) {
    const element = byId(id);
    if (element.textContent !== text) element.textContent = text;
  }

  function show(id, text) {
    setText(id, text);
    byId(id).hidden = text === '';
  }

  /** `YYYY-MM-DD` of an instant in a time zone, through Intl (the browser's zone plays no part). */
  function dayIn(instant, timeZone) {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(instant);
    const part = (type) => parts.find((p) => p.type === type).value;
    return `${part('year')}-${part('month')}-${part('day')}`;
  }

  function dayNumber(isoDay) {
    const [year, month, day] = isoDay.split('-').map(Number);
    return Date.UTC(year, month - 1, day) / DAY_MS;
  }

  function clockTime(instant) {
    return new Intl.DateTimeFormat(undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(instant);
  }

  function describeSince(since) {
    const instant = new Date(since);
    return Number.isNaN(instant.getTime())
      ? String(since)
      : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(instant);
  }

  function messageOf(incident) {
    for (const field of MESSAGE_FIELDS) {
      if (typeof incident[field] === 'string' && incident[field] !== '') return incident[field];
    }
    return '';
  }

  /** The last good JSON view, kept through failed fetches. */
  let view;
  /** When fetches started failing, or undefined while the service answers. */
  let offlineSince;

  function render() {
    if (view === undefined) return;
    let today = view.today;
    let days = view.days;
    try {
      const local = dayIn(new Date(), view.timeZone);
      const counted = dayNumber(local) - dayNumber(view.lastIncident.date);
      // A clock behind the service's would count back past the incident: the service's count stands.
      if (counted >= 0) {
        today = local;
        days = counted;
      }
    } catch {
      // An unknown time zone in this browser: the service's own count stands.
    }
    board.dataset.state = 'ok';
    setText('days', String(days));
    setText('unit', days === 1 ? 'day' : 'days');
    setText('last-date', view.lastIncident.date);
    byId('last-date').dateTime = view.lastIncident.date;
    setText('last-message', messageOf(view.lastIncident));
    setText('today', today);
    byId('today').dateTime = today;
    setText('zone', `(${view.timeZone})`);
    show('error', '');
    const rejected = view.rejected;
    show(
      'rejected',
      rejected
        ? `Serving the last good list; the new file was rejected: ${rejected.reason}, since ${describeSince(rejected.since)}`
        : '',
    );
  }

  function renderError(reason) {
    view = undefined;
    board.dataset.state = 'error';
    show('rejected', '');
    show('error', `The incidents file cannot be served: ${reason}`);
  }

  async function refresh() {
    try {
      const response = await fetch('/', { headers: { accept: 'application/json' }, cache: 'no-store' });
      const body = await response.json();
      if (response.ok && body.lastIncident) {
        view = body;
        render();
      } else if (typeof body.error === 'string') {
        renderError(body.error);
      } else {
        throw new Error(`unexpected answer ${response.status}`);
      }
      offlineSince = undefined;
      show('offline', '');
    } catch {
      // Unreachable, or an answer that is not the service's (a proxy's error page): keep the view.
      offlineSince ??= new Date();
      if (board.dataset.state === 'loading') board.dataset.state = 'offline';
      show('offline', `Offline since ${clockTime(offlineSince)}; showing the last answer received`);
    } finally {
      setTimeout(refresh, refreshMs());
    }
  }

  // Each second: the date in the service's zone may have changed (midnight there, or a clock set).
  setInterval(render, 1000);
  refresh();
})();
