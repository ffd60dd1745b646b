// The script of imflow's HTML report (inlined by report/html.ts). Plain browser JavaScript.
// Every string from the data is set with textContent: none is ever parsed as HTML.
(() => {
  const dataElement = document.getElementById('imflow-data');
  const data = JSON.parse(dataElement ? dataElement.textContent || '{}' : '{}');
  const failures = new Map((data.failures || []).map((failure) => [failure.key, failure]));

  /** Creates an element with a class and, optionally, text. */
  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = String(text);
    return element;
  }

  // ---------------------------------------------------------------------------------------
  // Profile tabs: one profile at a time when there are several.

  const tabs = Array.from(document.querySelectorAll('[data-profile-tab]'));
  const profiles = Array.from(document.querySelectorAll('section.profile'));
  function showProfile(index) {
    for (const section of profiles) section.hidden = section.dataset.profile !== String(index);
    for (const tab of tabs) {
      tab.setAttribute('aria-current', tab.dataset.profileTab === String(index) ? 'true' : 'false');
    }
    for (const viewport of document.querySelectorAll('.diagram-viewport')) {
      const zoom = zooms.get(viewport);
      if (zoom?.fitted) zoom.fit();
    }
  }
  for (const tab of tabs) {
    tab.addEventListener('click', (event) => {
      event.preventDefault();
      showProfile(tab.dataset.profileTab);
      history.replaceState(null, '', `#profile-${tab.dataset.profileTab}`);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Diagrams: one view at a time (the whole machine, its top level, each region), shown at
  // 100 % when opened so that its labels can be read; fit to width, zoom, drag to pan.

  const zooms = new Map();
  const MIN_SCALE = 0.1;
  const MAX_SCALE = 4;

  function setupZoom(viewport) {
    const panel = viewport.closest('.diagram-panel');
    const level = panel.querySelector('.zoom-level');
    const viewButtons = Array.from(panel.querySelectorAll('[data-view]')).filter(
      (element) => element.tagName === 'BUTTON',
    );
    const views = Array.from(viewport.querySelectorAll('.diagram-view'));
    const state = { scale: 1, fitted: false };
    function current() {
      return views.find((view) => !view.hidden) || views[0];
    }
    function apply(scale) {
      const view = current();
      if (!view) return;
      const width = Number(view.dataset.width) || 800;
      state.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
      const svg = view.querySelector('svg');
      svg.style.width = `${Math.round(width * state.scale)}px`;
      svg.style.height = 'auto';
      level.textContent = `${Math.round(state.scale * 100)} %`;
    }
    state.fit = () => {
      const view = current();
      const available = viewport.clientWidth - 2;
      if (!view || available <= 0) return;
      state.fitted = true;
      apply(Math.min(1, available / (Number(view.dataset.width) || 800)));
    };
    /** Shows the named view at 100 %, the current step's highlight in sight. */
    state.show = (name) => {
      const wanted = views.find((view) => view.dataset.view === name);
      if (!wanted) return;
      for (const view of views) view.hidden = view !== wanted;
      for (const button of viewButtons) {
        button.setAttribute('aria-pressed', button.dataset.view === name ? 'true' : 'false');
      }
      viewport.dataset.view = name;
      state.fitted = false;
      apply(1);
      viewport.scrollLeft = 0;
      viewport.scrollTop = 0;
      reveal(viewport);
    };
    /** Zooms by a factor, keeping the point under (x, y) of the viewport in place. */
    state.zoomBy = (factor, x, y) => {
      const cx = x === undefined ? viewport.clientWidth / 2 : x;
      const cy = y === undefined ? viewport.clientHeight / 2 : y;
      const before = state.scale;
      const contentX = viewport.scrollLeft + cx;
      const contentY = viewport.scrollTop + cy;
      state.fitted = false;
      apply(before * factor);
      const ratio = state.scale / before;
      viewport.scrollLeft = contentX * ratio - cx;
      viewport.scrollTop = contentY * ratio - cy;
    };
    for (const button of viewButtons) {
      button.addEventListener('click', () => state.show(button.dataset.view));
    }
    panel.querySelector('[data-zoom="fit"]').addEventListener('click', () => state.fit());
    panel.querySelector('[data-zoom="in"]').addEventListener('click', () => state.zoomBy(1.25));
    panel.querySelector('[data-zoom="out"]').addEventListener('click', () => state.zoomBy(0.8));
    panel.querySelector('[data-zoom="actual"]').addEventListener('click', () => {
      state.fitted = false;
      apply(1);
    });
    viewport.addEventListener(
      'wheel',
      (event) => {
        if (!event.ctrlKey && !event.metaKey) return;
        event.preventDefault();
        const box = viewport.getBoundingClientRect();
        state.zoomBy(
          event.deltaY < 0 ? 1.1 : 1 / 1.1,
          event.clientX - box.left,
          event.clientY - box.top,
        );
      },
      { passive: false },
    );
    let drag;
    viewport.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      drag = {
        x: event.clientX,
        y: event.clientY,
        left: viewport.scrollLeft,
        top: viewport.scrollTop,
      };
      viewport.classList.add('dragging');
    });
    viewport.addEventListener('pointermove', (event) => {
      if (!drag) return;
      viewport.scrollLeft = drag.left - (event.clientX - drag.x);
      viewport.scrollTop = drag.top - (event.clientY - drag.y);
    });
    const stop = () => {
      drag = undefined;
      viewport.classList.remove('dragging');
    };
    viewport.addEventListener('pointerup', stop);
    viewport.addEventListener('pointerleave', stop);
    zooms.set(viewport, state);
    viewport.dataset.view = current() ? current().dataset.view : '';
    apply(1);
  }

  for (const viewport of document.querySelectorAll('.diagram-viewport')) setupZoom(viewport);
  window.addEventListener('resize', () => {
    for (const zoom of zooms.values()) if (zoom.fitted) zoom.fit();
  });

  // ---------------------------------------------------------------------------------------
  // Highlighting a step on a diagram.

  const HIGHLIGHTS = ['is-active', 'is-taken', 'is-failing'];

  function highlight(prefix, active, transitions, failing) {
    const viewport = document.getElementById(`diagram-${prefix}`);
    if (!viewport) return;
    for (const element of viewport.querySelectorAll('.is-active, .is-taken, .is-failing')) {
      element.classList.remove(...HIGHLIGHTS);
    }
    const activeSet = new Set(active);
    const taken = new Set(transitions);
    for (const element of viewport.querySelectorAll('[data-state]')) {
      if (activeSet.has(element.dataset.state)) element.classList.add('is-active');
    }
    for (const element of viewport.querySelectorAll('[data-transition]')) {
      if (taken.has(element.dataset.transition)) {
        element.classList.add('is-taken');
        if (failing) element.classList.add('is-failing');
      }
    }
    for (const element of viewport.querySelectorAll('[data-transitions]')) {
      if (element.dataset.transitions.split(' ').some((id) => taken.has(id))) {
        element.classList.add('is-taken');
        if (failing) element.classList.add('is-failing');
      }
    }
    reveal(viewport);
  }

  /** Scrolls the diagram, not the page, so that the highlight is in view when zoomed in. */
  function reveal(viewport) {
    // Only the view on show; in it, the transitions taken matter most, then the active states.
    const view = viewport.querySelector('.diagram-view:not([hidden])') || viewport;
    let targets = Array.from(view.querySelectorAll('.transition.is-taken'));
    if (targets.length === 0) targets = Array.from(view.querySelectorAll('.node.is-active'));
    if (targets.length === 0) return;
    const box = viewport.getBoundingClientRect();
    const rects = targets.map((target) => target.getBoundingClientRect());
    const inside = (r) =>
      r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
    if (rects.every(inside)) return;
    const union = rects.reduce((a, r) => ({
      left: Math.min(a.left, r.left),
      right: Math.max(a.right, r.right),
      top: Math.min(a.top, r.top),
      bottom: Math.max(a.bottom, r.bottom),
    }));
    const fits = union.right - union.left <= box.width && union.bottom - union.top <= box.height;
    const focus = fits ? union : rects[0];
    viewport.scrollLeft += (focus.left + focus.right) / 2 - (box.left + box.width / 2);
    viewport.scrollTop += (focus.top + focus.bottom) / 2 - (box.top + box.height / 2);
  }

  // ---------------------------------------------------------------------------------------
  // The trace stepper.

  /** The deepest of the active states: those no other active state lies inside. */
  function leaves(states) {
    return states.filter((state) => !states.some((other) => other.startsWith(`${state}.`)));
  }

  function list(items, className, empty) {
    if (items.length === 0) return el('p', 'quiet', empty);
    const ul = el('ul', className);
    for (const item of items) {
      const li = el('li');
      if (typeof item === 'string') li.append(el('code', '', item));
      else li.append(item);
      ul.append(li);
    }
    return ul;
  }

  function timedOutput(observed) {
    const span = el('span');
    span.append(el('code', '', observed.output), el('span', 'time', ` at ${observed.at} ms`));
    return span;
  }

  function queriesText(queries) {
    const entries = Object.entries(queries || {});
    return entries.length === 0
      ? '(none)'
      : entries.map(([key, value]) => `${key} = ${value}`).join(', ');
  }

  function row(container, term, content) {
    const dt = el('dt', '', term);
    const dd = el('dd');
    if (typeof content === 'string') dd.textContent = content;
    else dd.append(content);
    container.append(dt, dd);
  }

  /** A chip for a dotted path, which may wrap after each dot. */
  function chip(text, className) {
    const code = el('code', `chip ${className || ''}`);
    text.split('.').forEach((part, index) => {
      if (index > 0) code.append('.', document.createElement('wbr'));
      code.append(part);
    });
    return code;
  }

  function chips(items, className) {
    const span = el('span', 'chips');
    for (const item of items) span.append(chip(item, className));
    if (items.length === 0) span.append(el('span', 'quiet', '(none)'));
    return span;
  }

  function renderDetail(container, failure, position) {
    container.replaceChildren();
    if (position === 0) {
      container.append(el('p', 'step-title', 'Start: before the first stimulus'));
      const dl = el('dl', 'detail-grid');
      row(dl, 'Model states', chips(leaves(failure.initial), 'state-chip'));
      container.append(dl);
      return;
    }
    const step = failure.steps[position - 1];
    const title = el('p', `step-title ${step.verdict}`);
    title.append(
      el('span', `badge badge-${step.verdict}`, step.verdict === 'pass' ? 'pass' : 'FAIL'),
      el('span', '', ` Step ${position}`),
      el('span', 'time', ` at t = ${step.at} ms`),
    );
    container.append(title);
    const dl = el('dl', 'detail-grid');
    row(dl, 'Stimulus', el('code', 'stimulus', step.stimulus));
    if (step.failure) {
      row(dl, 'Problem', el('span', 'problem', step.failure.message));
      if (step.failure.requirements.length > 0) {
        row(dl, 'Requirements', chips(step.failure.requirements, 'req-chip'));
      }
    }
    row(dl, 'Observed', list(step.observed.map(timedOutput), 'outputs', '(nothing)'));
    if (step.failure?.expected) {
      row(dl, 'Expected', list(step.failure.expected, 'outputs', '(nothing)'));
    } else if (step.verdict === 'pass') {
      row(dl, 'Expected', el('span', 'quiet', 'as observed'));
    }
    if (step.failure?.missing && step.failure.missing.length > 0) {
      row(dl, 'Missing', list(step.failure.missing, 'outputs missing', ''));
    }
    if (step.failure?.unexpected && step.failure.unexpected.length > 0) {
      row(dl, 'Unexpected', list(step.failure.unexpected, 'outputs unexpected', ''));
    }
    const mismatches = step.failure?.queryMismatches || [];
    if (mismatches.length > 0) {
      const table = el('table', 'mismatches');
      const head = el('tr');
      head.append(el('th', '', 'query'), el('th', '', 'expected'), el('th', '', 'observed'));
      table.append(head);
      for (const mismatch of mismatches) {
        const tr = el('tr');
        tr.append(
          el('td', '', mismatch.query),
          el('td', '', mismatch.expected),
          el('td', 'unexpected', mismatch.observed),
        );
        table.append(tr);
      }
      row(dl, 'Query mismatches', table);
    }
    row(dl, 'State readings', el('span', '', queriesText(step.queries)));
    if (step.failure?.expectedQueries) {
      row(dl, 'Expected readings', el('span', '', queriesText(step.failure.expectedQueries)));
    }
    if (step.branch) row(dl, 'Model moves', el('span', '', step.branch.join(' then ')));
    row(
      dl,
      step.verdict === 'fail' ? 'Transitions expected' : 'Transitions taken',
      chips(step.transitions, 'transition-chip'),
    );
    row(
      dl,
      step.verdict === 'fail' ? 'States expected after' : 'States after',
      chips(leaves(step.active), 'state-chip'),
    );
    container.append(dl);
  }

  function setupStepper(stepper) {
    const prefix = stepper.dataset.diagram;
    const machine = stepper.closest('.machine');
    const buttons = Array.from(machine.querySelectorAll('.failure-item'));
    const caseBox = stepper.querySelector('.stepper-case');
    const detail = stepper.querySelector('.step-detail');
    const stepList = stepper.querySelector('.step-list');
    const positionText = stepper.querySelector('.step-position');
    const control = (name) => stepper.querySelector(`[data-step="${name}"]`);
    let failure;
    let position = 0;

    function lastPosition() {
      return failure.steps.length;
    }
    function failurePosition() {
      return failure.failingStep >= 0 ? failure.failingStep + 1 : lastPosition();
    }

    function go(to) {
      position = Math.max(0, Math.min(lastPosition(), to));
      stepper.dataset.position = String(position);
      const step = position === 0 ? undefined : failure.steps[position - 1];
      positionText.textContent =
        position === 0
          ? `Start (of ${lastPosition()} steps)`
          : `Step ${position} of ${lastPosition()}`;
      control('first').disabled = position === 0;
      control('prev').disabled = position === 0;
      control('next').disabled = position === lastPosition();
      control('failure').disabled = position === failurePosition();
      for (const item of stepList.children) {
        const current = Number(item.dataset.position) === position;
        item.classList.toggle('current', current);
        if (current) item.setAttribute('aria-current', 'step');
        else item.removeAttribute('aria-current');
      }
      renderDetail(detail, failure, position);
      highlight(
        prefix,
        step ? step.active : failure.initial,
        step ? step.transitions : [],
        step ? step.verdict === 'fail' : false,
      );
    }

    function select(key) {
      failure = failures.get(key);
      if (!failure) return;
      stepper.dataset.failure = key;
      for (const button of buttons) {
        const selected = button.dataset.failure === key;
        button.setAttribute('aria-pressed', selected ? 'true' : 'false');
        button.classList.toggle('selected', selected);
      }
      caseBox.replaceChildren();
      const name = el('p', 'case-name');
      name.append(
        el('strong', '', failure.name),
        el(
          'span',
          'quiet',
          ` · ${failure.origin === 'property' ? 'property counterexample' : `${failure.origin} test`}` +
            (failure.shrinks !== undefined ? `, shrunk ${failure.shrinks} times` : '') +
            ` · profile ${failure.profile}`,
        ),
      );
      caseBox.append(name);
      if (failure.failingStep < 0) {
        caseBox.append(
          el(
            'p',
            'warning',
            'The shrunk counterexample passed when run again: the implementation is not deterministic.',
          ),
        );
      }
      if (failure.replay) {
        const replay = el('p', 'replay');
        replay.append(el('span', 'quiet', 'Replay: '), el('code', '', failure.replay));
        caseBox.append(replay);
      }
      stepList.replaceChildren();
      const start = el('li');
      start.dataset.position = '0';
      const startButton = el('button', 'step-item', 'Start');
      startButton.type = 'button';
      startButton.addEventListener('click', () => go(0));
      start.append(startButton);
      stepList.append(start);
      failure.steps.forEach((step, index) => {
        const li = el('li', step.verdict === 'fail' ? 'failed' : '');
        li.dataset.position = String(index + 1);
        const button = el('button', 'step-item');
        button.type = 'button';
        button.append(
          el('span', `mark ${step.verdict}`, step.verdict === 'pass' ? '✓' : '✗'),
          el('span', 'time', `t=${step.at}`),
          el('code', '', step.stimulus),
        );
        button.addEventListener('click', () => go(index + 1));
        li.append(button);
        stepList.append(li);
      });
      const zoom = zooms.get(document.getElementById(`diagram-${prefix}`));
      go(failurePosition());
      // The region where the case failed, at 100 %, after the highlight is drawn.
      if (zoom && failure.view) zoom.show(failure.view);
    }

    for (const button of buttons) {
      button.addEventListener('click', () => select(button.dataset.failure));
    }
    control('first').addEventListener('click', () => go(0));
    control('prev').addEventListener('click', () => go(position - 1));
    control('next').addEventListener('click', () => go(position + 1));
    control('failure').addEventListener('click', () => go(failurePosition()));
    stepper.addEventListener('keydown', (event) => {
      if (event.target instanceof HTMLInputElement) return;
      const moves = {
        ArrowLeft: position - 1,
        ArrowRight: position + 1,
        Home: 0,
        End: failurePosition(),
      };
      if (!(event.key in moves)) return;
      event.preventDefault();
      go(moves[event.key]);
    });
    if (buttons[0]) select(buttons[0].dataset.failure);
  }

  for (const stepper of document.querySelectorAll('.stepper')) setupStepper(stepper);

  // ---------------------------------------------------------------------------------------
  // The requirement matrix: filter by verdict and by text.

  for (const matrix of document.querySelectorAll('.matrix')) {
    const rows = Array.from(matrix.querySelectorAll('tbody tr'));
    const buttons = Array.from(matrix.querySelectorAll('[data-filter]'));
    const search = matrix.querySelector('.matrix-search');
    const shown = matrix.querySelector('.matrix-shown');
    let verdict = 'all';
    function update() {
      const text = search.value.trim().toLowerCase();
      let count = 0;
      for (const row of rows) {
        const visible =
          (verdict === 'all' || row.dataset.verdict === verdict) &&
          (text === '' || row.dataset.search.includes(text));
        row.hidden = !visible;
        if (visible) count++;
      }
      for (const button of buttons) {
        button.setAttribute('aria-pressed', button.dataset.filter === verdict ? 'true' : 'false');
      }
      shown.textContent = `${count} of ${rows.length} shown`;
    }
    for (const button of buttons) {
      button.addEventListener('click', () => {
        verdict = button.dataset.filter;
        update();
      });
    }
    search.addEventListener('input', update);
    update();
  }

  // Profiles last: the diagrams of a hidden profile fit when it is shown.
  if (tabs.length > 0) {
    const wanted = /^#profile-(\d+)$/.exec(location.hash);
    showProfile(wanted && Number(wanted[1]) < profiles.length ? wanted[1] : '0');
  }
})();
