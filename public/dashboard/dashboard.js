// The managers' dashboard. Every figure comes from popgate's own API (/coverage/v1), read with the session cookie;
// every text from the catalogue (/dashboard/assets/i18n.json, src/coverage/dashboard-i18n.ts). Elements are built
// with textContent, never innerHTML, so that nothing the API returns can become markup.
'use strict';

(function dashboard() {
  const state = { period: null, texts: null, lang: 'vi', session: null, coverage: null, series: {}, charts: {}, readiness: null, readinessId: null, drill: null };
  const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
  const STATUS_COLOURS = { integrated: '#1b7f3b', degraded: '#c77700', not_integrated: '#b3261e', no_traffic: '#6b6b6b' };
  const OUTCOMES = ['ok', 'mismatch', 'not_found', 'refused', 'invalid', 'rate_limited', 'quota_exhausted', 'unavailable', 'timeout', 'server_error'];
  /** The periods a manager picks: their length and the step of their series (a month of hours would pass 744 points). */
  const PERIODS = { day: { ms: 86400000, interval: 'hour' }, week: { ms: 7 * 86400000, interval: 'day' }, month: { ms: 30 * 86400000, interval: 'day' } };

  function t(key, values) {
    const text = state.texts[state.lang][key];
    if (text === undefined) throw new Error('dashboard: no text ' + key);
    return text.replace(/\{(\w+)\}/g, (place, name) => (values && values[name] !== undefined ? String(values[name]) : place));
  }

  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null) continue;
      if (name === 'dataset') Object.assign(element.dataset, value);
      else element.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) element.append(child);
    return element;
  }

  const $ = (id) => document.getElementById(id);

  // Figures: the shown text in the page's language, and the API's value in data-value for the tests to compare.
  function number(value, digits) {
    if (value === null || value === undefined) return t('common.none');
    return new Intl.NumberFormat(LOCALES[state.lang], { maximumFractionDigits: digits === undefined ? 1 : digits }).format(value);
  }
  function percent(ratio) {
    if (ratio === null || ratio === undefined) return t('common.none');
    return new Intl.NumberFormat(LOCALES[state.lang], { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ratio * 100) + ' %';
  }
  function dateTime(iso) {
    if (!iso) return t('common.none');
    return new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: 'short', timeStyle: 'short', timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(iso));
  }
  function figure(tag, text, value, attributes) {
    return el(tag, Object.assign({ dataset: { value: JSON.stringify(value === undefined ? null : value) } }, attributes || {}), text);
  }
  function setFigure(id, text, value) {
    const element = $(id);
    element.textContent = text;
    element.dataset.value = JSON.stringify(value === undefined ? null : value);
  }

  async function api(path) {
    const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    const body = response.headers.get('content-type')?.includes('json') ? await response.json() : null;
    return { status: response.status, body };
  }

  /** A notice in place of a part the API could not give: "not available" when this popgate has no such endpoint. */
  function unavailable(element, status, whatKey) {
    element.hidden = false;
    element.dataset.status = String(status);
    element.textContent = status === 404 ? t('common.notAvailable', { what: t(whatKey) }) : t('common.failed', { what: t(whatKey), status });
  }

  function applyTexts() {
    document.documentElement.lang = state.lang;
    document.title = t('page.title');
    for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
    const session = state.session;
    if (session) {
      const role = session.role === 'consumer' ? t('role.consumer', { name: session.consumerName }) : t('role.' + session.role);
      $('session-role').textContent = t('session.signedInAs', { role });
    }
  }

  function statusBadge(status) {
    return el('span', { class: 'status status-' + status, dataset: { status }, style: null }, t('status.' + status));
  }

  /** The Project 06 figures: the API's headline (essential services against the confirmed list) when it gives one. */
  function headline(coverage) {
    const services = coverage.services;
    const essential = services.filter((service) => service.essential);
    const integrated = coverage.headline ? coverage.headline.essentialIntegrated : essential.filter((service) => service.status === 'integrated').length;
    const of = coverage.headline ? coverage.headline.confirmedList : essential.length;
    const calls = services.reduce((sum, service) => sum + service.calls.total, 0);
    // As the API's success rate: answered over answered and failed, a client's errors and simulated faults aside.
    const answered = services.reduce((sum, service) => sum + service.calls.answered, 0);
    const measured = answered + services.reduce((sum, service) => sum + service.calls.failed, 0);
    const backlog = services.reduce((sum, service) => sum + service.dossiers.backlog, 0);
    return { integrated, essential: of, calls, successRate: measured === 0 ? null : answered / measured, backlog };
  }

  function renderOverview() {
    const coverage = state.coverage;
    if (!coverage) return;
    $('period').textContent = t('common.period', { from: dateTime(coverage.period.from), to: dateTime(coverage.period.to) });
    $('period').dataset.from = coverage.period.from;
    $('period').dataset.to = coverage.period.to;
    const figures = headline(coverage);
    setFigure('headline-integrated', number(figures.integrated, 0), figures.integrated);
    setFigure('headline-essential', t('headline.integratedOf', { total: number(figures.essential, 0) }), figures.essential);
    setFigure('headline-calls', number(figures.calls, 0), figures.calls);
    setFigure('headline-success-rate', percent(figures.successRate), figures.successRate);
    setFigure('headline-backlog', number(figures.backlog, 0), figures.backlog);

    const rows = coverage.services.map((service) =>
      el(
        'tr',
        { dataset: { service: service.serviceCode }, class: 'row-' + service.status },
        el('td', {}, el('a', { href: '#service/' + encodeURIComponent(service.serviceCode), class: 'drill' }, service.serviceCode)),
        el('td', {}, state.lang === 'vi' ? service.nameVi : service.nameEn),
        el('td', {}, service.leadAgency),
        el('td', {}, t('stage.' + service.stage)),
        el('td', { title: service.statusReason }, statusBadge(service.status)),
        figure('td', number(service.calls.total, 0), service.calls.total, { class: 'number', 'data-field': 'calls' }),
        figure('td', percent(service.successRate), service.successRate, { class: 'number', 'data-field': 'successRate' }),
        figure('td', number(service.latencyMs.p95), service.latencyMs.p95, { class: 'number', 'data-field': 'p95' }),
        figure('td', percent(service.dossiers.automationRate), service.dossiers.automationRate, { class: 'number', 'data-field': 'automationRate' }),
        figure('td', number(service.dossiers.backlog, 0), service.dossiers.backlog, { class: 'number', 'data-field': 'backlog' }),
        figure('td', percent(service.lastSyncRun ? service.lastSyncRun.driftRate : null), service.lastSyncRun ? service.lastSyncRun.driftRate : null, { class: 'number', 'data-field': 'driftRate' }),
      ),
    );
    $('coverage-table').tBodies[0].replaceChildren(...rows);

    const waiting = coverage.services.filter((service) => service.dossiers.backlog > 0);
    $('queue-table').tBodies[0].replaceChildren(
      ...waiting.map((service) =>
        el('tr', { dataset: { service: service.serviceCode } }, el('td', {}, service.serviceCode), figure('td', number(service.dossiers.backlog, 0), service.dossiers.backlog, { class: 'number' })),
      ),
    );

    chart('automation', $('automation-chart'), {
      type: 'bar',
      data: {
        labels: coverage.services.map((service) => service.serviceCode),
        datasets: [
          {
            label: t('col.automation'),
            data: coverage.services.map((service) => (service.dossiers.automationRate === null ? null : service.dossiers.automationRate * 100)),
            backgroundColor: coverage.services.map((service) => STATUS_COLOURS[service.status]),
          },
        ],
      },
      options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
    });
    renderTrends();
  }

  function seriesChart(name, canvas, series, label) {
    chart(name, canvas, {
      type: 'line',
      data: {
        labels: series.points.map((point) => dateTime(point.at)),
        datasets: [
          { label: label + ' (' + t('trends.current') + ')', data: series.points.map((point) => point.value), borderColor: '#1f5fa8', spanGaps: true },
          { label: label + ' (' + t('trends.previous') + ')', data: series.points.map((point) => point.previous), borderColor: '#9aa9bb', borderDash: [4, 4], spanGaps: true },
        ],
      },
    });
  }

  function renderTrends() {
    const latency = state.series.latency;
    const errors = state.series.errors;
    if (!latency || !errors) return;
    const failed = [latency, errors].find((answer) => answer.status !== 200);
    if (failed) {
      unavailable($('trends-status'), failed.status, 'trends.what');
      document.querySelector('#trends .charts').hidden = true;
      return;
    }
    $('trends-status').hidden = true;
    document.querySelector('#trends .charts').hidden = false;
    seriesChart('latency', $('latency-chart'), latency.body, t('trends.latency'));
    seriesChart('errors', $('errors-chart'), errors.body, t('trends.errors'));
  }

  function chart(name, canvas, config) {
    if (state.charts[name]) state.charts[name].destroy();
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    state.charts[name] = new window.Chart(canvas, config);
  }

  function definitionList(pairs) {
    return el('dl', {}, ...pairs.flatMap(([label, value, raw, field]) => [el('dt', {}, label), figure('dd', value, raw, { 'data-field': field })]));
  }

  /** What the service reads and does not need (the API's data-minimisation block), or "not available" without one. */
  function minimisation(service) {
    const block = service.dataMinimisation;
    const section = el('div', { id: 'drill-minimisation' }, el('h3', {}, t('drill.minimisation')));
    if (!block) {
      const notice = el('p', { class: 'notice' });
      unavailable(notice, 404, 'drill.minimisationWhat');
      section.append(notice);
      return section;
    }
    section.append(
      el('p', {}, t('drill.neverReturned')),
      el('ul', { id: 'drill-never-returned' }, ...(block.neverReturned.length > 0 ? block.neverReturned.map((field) => el('li', { dataset: { field } }, field)) : [el('li', {}, t('common.none'))])),
      el('p', {}, t('drill.refused')),
      el(
        'table',
        { id: 'drill-refused' },
        el('thead', {}, el('tr', {}, el('th', {}, t('drill.field')), el('th', { class: 'number' }, t('drill.refusedCalls')))),
        el('tbody', {}, ...(block.refused.length === 0 ? [el('tr', {}, el('td', { colspan: '2' }, t('common.none')))] : []), ...block.refused.map((refused) => el('tr', { dataset: { field: refused.field } }, el('td', {}, refused.field), figure('td', number(refused.calls, 0), refused.calls, { class: 'number' })))),
      ),
    );
    return section;
  }

  function renderDrill() {
    const drill = state.drill;
    if (!drill) return;
    const body = $('drill-body');
    $('drill-title').textContent = t('drill.title', { code: drill.code });
    if (drill.answer.status !== 200) {
      $('drill-name').textContent = '';
      $('drill-status').replaceChildren();
      $('drill-reason').textContent = '';
      const notice = el('p', { class: 'notice' });
      unavailable(notice, drill.answer.status, 'table.title');
      body.replaceChildren(notice);
      return;
    }
    const service = drill.answer.body;
    $('drill-name').textContent = (state.lang === 'vi' ? service.nameVi : service.nameEn) + ' · ' + service.leadAgency;
    $('drill-status').replaceChildren(statusBadge(service.status));
    $('drill-reason').textContent = service.statusReason;
    const outcomes = el(
      'table',
      { id: 'drill-outcomes' },
      el('thead', {}, el('tr', {}, el('th', {}, t('drill.outcomes')), el('th', { class: 'number' }, t('col.calls')))),
      el('tbody', {}, ...OUTCOMES.map((outcome) => el('tr', { dataset: { outcome } }, el('td', {}, t('outcome.' + outcome)), figure('td', number(service.calls.byOutcome[outcome], 0), service.calls.byOutcome[outcome], { class: 'number' })))),
    );
    const run = service.lastSyncRun;
    const kinds = run ? Object.entries(run.discrepancyRateByKind) : [];
    const discrepancies = el(
      'table',
      { id: 'drill-discrepancies' },
      el('thead', {}, el('tr', {}, el('th', {}, t('drill.field')), el('th', { class: 'number' }, t('drill.rate')))),
      el('tbody', {}, ...kinds.map(([kind, rate]) => el('tr', { dataset: { kind } }, el('td', {}, kind), figure('td', percent(rate), rate, { class: 'number' })))),
    );
    const runs = run
      ? el(
          'table',
          { id: 'drill-sync-runs' },
          el('thead', {}, el('tr', {}, ...['drill.runId', 'drill.finishedAt', 'drill.scanned', 'drill.matched', 'col.drift'].map((key) => el('th', {}, t(key))))),
          el(
            'tbody',
            {},
            el('tr', { dataset: { run: run.runId } }, el('td', {}, run.runId), el('td', {}, dateTime(run.finishedAt)), figure('td', number(run.scanned, 0), run.scanned), figure('td', number(run.matched, 0), run.matched), figure('td', percent(run.driftRate), run.driftRate)),
          ),
        )
      : el('p', { id: 'drill-sync-runs', class: 'notice' }, t('drill.noSyncRun'));
    body.replaceChildren(
      el(
        'div',
        { class: 'columns' },
        el(
          'div',
          {},
          definitionList([
            [t('col.stage'), t('stage.' + service.stage), service.stage, 'stage'],
            [t('drill.connector'), t('connector.' + service.connector.state), service.connector.state, 'connector'],
            [t('drill.operations'), service.connector.operations.join(', ') || t('common.none'), service.connector.operations, 'operations'],
            [t('col.calls'), number(service.calls.total, 0), service.calls.total, 'calls'],
            [t('col.successRate'), percent(service.successRate), service.successRate, 'successRate'],
            [t('drill.latency'), [service.latencyMs.p50, service.latencyMs.p95, service.latencyMs.p99].map((value) => number(value)).join(' / '), service.latencyMs, 'latency'],
          ]),
          outcomes,
        ),
        el(
          'div',
          {},
          el('h3', {}, t('drill.dossiers')),
          definitionList([
            [t('drill.filed'), number(service.dossiers.filed, 0), service.dossiers.filed, 'filed'],
            [t('drill.automatic'), percent(service.dossiers.automationRate), service.dossiers.automationRate, 'automationRate'],
            [t('drill.decisionP50'), number(service.dossiers.decisionP50Seconds), service.dossiers.decisionP50Seconds, 'decisionP50Seconds'],
            [t('drill.decisionP95'), number(service.dossiers.decisionP95Seconds), service.dossiers.decisionP95Seconds, 'decisionP95Seconds'],
            [t('col.backlog'), number(service.dossiers.backlog, 0), service.dossiers.backlog, 'backlog'],
          ]),
          el('h3', {}, t('drill.discrepancies')),
          discrepancies,
          el('h3', {}, t('drill.syncRuns')),
          runs,
        ),
      ),
      minimisation(service),
    );
    const series = drill.series;
    if (series && series.status === 200) {
      $('drill-series-status').hidden = true;
      $('drill-series-chart').hidden = false;
      seriesChart('drill', $('drill-series-chart'), series.body, t('drill.series'));
    } else if (series) {
      $('drill-series-chart').hidden = true;
      unavailable($('drill-series-status'), series.status, 'trends.what');
    }
  }

  function renderReadiness() {
    const target = $('readiness-body');
    const answer = state.readiness;
    if (!answer) return target.replaceChildren();
    if (answer.status !== 200) {
      const notice = el('p', { id: 'readiness-status', class: 'notice' });
      unavailable(notice, answer.status, 'readiness.what');
      return target.replaceChildren(notice);
    }
    const report = answer.body;
    // One line per service, its checklist folded: open where the consumer has calls or something failed.
    const services = report.services.map((service) => {
      const met = service.personas.exercised.length;
      const total = service.personas.total;
      const count = (status) => service.checklist.filter((item) => item.status === status).length;
      const details = el(
        'details',
        { class: 'readiness-service', dataset: { service: service.serviceCode } },
        el(
          'summary',
          {},
          el('strong', {}, service.serviceCode),
          ' ',
          el('span', { class: 'verdict verdict-' + service.verdict, dataset: { verdict: service.verdict } }, t('verdict.' + service.verdict)),
          ' ',
          el('span', { class: 'counts' }, t('readiness.counts', { calls: number(service.calls, 0), passed: count('passed'), failed: count('failed'), open: count('not_exercised') })),
        ),
        el('p', {}, service.reason),
        el(
          'table',
          { class: 'checklist' },
          el('thead', {}, el('tr', {}, ...['readiness.item', 'readiness.expected', 'readiness.status', 'readiness.instances', 'readiness.failures'].map((key) => el('th', {}, t(key))))),
          el(
            'tbody',
            {},
            ...service.checklist.map((item) =>
              el(
                'tr',
                { dataset: { item: item.item } },
                el('td', {}, item.title),
                el('td', {}, item.expected),
                el('td', {}, el('span', { class: 'check check-' + item.status, dataset: { status: item.status } }, t('check.' + item.status))),
                figure('td', number(item.instances, 0), item.instances, { class: 'number' }),
                figure('td', number(item.failures, 0), item.failures, { class: 'number' }),
              ),
            ),
          ),
        ),
        el('p', {}, t('readiness.personas', { met: number(met, 0), total: number(total, 0) })),
      );
      details.open = service.calls > 0 || service.verdict === 'not_ready';
      return details;
    });
    target.replaceChildren(
      el('p', { id: 'readiness-consumer-name' }, t('readiness.consumer', { name: report.consumerName })),
      el('p', { class: 'period' }, t('readiness.period', { from: dateTime(report.from), to: dateTime(report.to), calls: number(report.analysedCalls, 0) })),
      ...(services.length > 0 ? services : [el('p', {}, t('readiness.noServices'))]),
    );
  }

  async function loadReadiness(consumerId) {
    state.readinessId = consumerId;
    state.readiness = await api('/coverage/v1/consumers/' + encodeURIComponent(consumerId) + '/scenarios');
    renderReadiness();
  }

  /** The query of the chosen period: the same from and to for the table and the series. */
  function periodQuery() {
    return 'from=' + encodeURIComponent(state.period.from) + '&to=' + encodeURIComponent(state.period.to);
  }

  function choosePeriod(name) {
    const to = new Date();
    state.period = { name, interval: PERIODS[name].interval, from: new Date(to.getTime() - PERIODS[name].ms).toISOString(), to: to.toISOString() };
  }

  async function loadOverview() {
    const series = (measure) => api('/coverage/v1/timeseries?measure=' + measure + '&interval=' + state.period.interval + '&' + periodQuery());
    const [coverage, latency, errors] = await Promise.all([api('/coverage/v1/services?' + periodQuery()), series('p95_latency_ms'), series('failed_calls')]);
    state.coverage = coverage.status === 200 ? coverage.body : null;
    state.series = { latency, errors };
    renderOverview();
  }

  async function loadDrill(code) {
    const [answer, series] = await Promise.all([
      api('/coverage/v1/services/' + encodeURIComponent(code) + '?' + periodQuery()),
      api('/coverage/v1/timeseries?measure=calls&interval=' + state.period.interval + '&service=' + encodeURIComponent(code) + '&' + periodQuery()),
    ]);
    state.drill = { code, answer, series };
    renderDrill();
  }

  async function route() {
    const manager = state.session.role !== 'consumer';
    const match = /^#service\/(.+)$/.exec(location.hash);
    $('overview').hidden = !manager || match !== null;
    $('drilldown').hidden = !manager || match === null;
    if (manager && match) await loadDrill(decodeURIComponent(match[1]));
    document.body.dataset.view = !manager ? 'readiness' : match ? 'drilldown' : 'overview';
  }

  function renderAll() {
    applyTexts();
    renderOverview();
    renderDrill();
    renderReadiness();
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    state.texts = await (await fetch('/dashboard/assets/i18n.json')).json();
    state.lang = ['vi', 'en'].includes(params.get('lang')) ? params.get('lang') : localStorage.getItem('popgate.dashboard.lang') || 'vi';
    const session = await api('/dashboard/session');
    if (session.status !== 200) {
      location.assign('/dashboard');
      return;
    }
    state.session = session.body;
    choosePeriod('day');
    applyTexts();
    $('readiness').hidden = false;
    if (state.session.role === 'consumer') {
      // A consumer's key reads only its own readiness: no id to choose.
      $('readiness-form').hidden = true;
      await loadReadiness(state.session.consumerId);
    } else {
      await loadOverview();
    }
    $('period-select').addEventListener('change', () => {
      choosePeriod($('period-select').value);
      document.body.dataset.ready = 'loading';
      void loadOverview().then(() => (document.body.dataset.ready = 'true'));
    });
    $('lang-switch').addEventListener('click', () => {
      state.lang = state.lang === 'vi' ? 'en' : 'vi';
      localStorage.setItem('popgate.dashboard.lang', state.lang);
      const url = new URL(location.href);
      url.searchParams.set('lang', state.lang);
      history.replaceState(null, '', url);
      renderAll();
    });
    $('readiness-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const id = $('readiness-consumer').value.trim();
      if (id) void loadReadiness(id);
    });
    $('drill-back').addEventListener('click', (event) => {
      event.preventDefault();
      history.pushState(null, '', location.pathname + location.search);
      void route();
    });
    window.addEventListener('hashchange', () => void route());
    await route();
    $('loading').hidden = true;
    $('app').setAttribute('aria-busy', 'false');
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => {
    start().catch((error) => {
      document.body.dataset.ready = 'failed';
      console.error('dashboard failed to start', error);
    });
  });
})();
