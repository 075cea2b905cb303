// The try-it page: calls the host's own API (GET v1/labels, POST v1/extract) like any client and
// highlights each entity in place at its UTF-16 offsets, which are JavaScript's string indices.
'use strict';

// The API key lives only in this variable: never in storage or cookies, so closing the tab forgets it.
let apiKey = null;
let afterKey = null; // the call to make again once the key is given
let schema = null; // GET v1/labels: {model, name, language, labels: [{key, prompt}]}

const $ = id => document.getElementById(id);

function setState(state) {
  // Read by people's eyes through the button, and by the browser test, which waits on it.
  document.body.dataset.state = state;
  $('go').disabled = state === 'busy' || state === 'loading' || state === 'key';
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (apiKey !== null) {
    headers['x-api-key'] = apiKey;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    return { ok: false, status: 0, problem: { title: 'No answer', detail: `the host did not answer (${e.message})` } };
  }
  const json = await response.json().catch(() => null);
  if (response.ok) {
    return { ok: true, status: response.status, json };
  }
  const problem = json && typeof json.detail === 'string'
    ? json
    : { title: response.statusText || 'Error', detail: `the host answered ${response.status}` };
  return { ok: false, status: response.status, problem };
}

// A call that asks for the key on 401 and makes itself again once it is given.
async function guarded(method, path, body, again) {
  const answer = await call(method, path, body);
  if (answer.status === 401) {
    askKey(answer.problem.detail, again);
    return null;
  }
  return answer;
}

function askKey(why, again) {
  afterKey = again;
  $('key-why').textContent = apiKey === null
    ? `This host needs an API key (${why}).`
    : `That key was refused (${why}).`;
  $('key-form').hidden = false;
  setState('key');
  $('key-input').focus();
}

function showProblem(status, problem) {
  const title = problem.title ? `${problem.title}${status ? ` (${status})` : ''}: ` : '';
  $('problem').textContent = title + problem.detail;
  $('problem').hidden = false;
  $('result').hidden = true;
  setState('problem');
}

function colourClass(index) {
  return `c${index % 10}`;
}

async function loadLabels() {
  setState('loading');
  const answer = await guarded('GET', 'v1/labels', undefined, loadLabels);
  if (answer === null) {
    return;
  }
  if (!answer.ok) {
    // Without the host's labels the page still works: a request naming none gets the host's default.
    showProblem(answer.status, answer.problem);
    return;
  }
  schema = answer.json;
  $('model').textContent = `${schema.model}: ${schema.labels.map(l => l.key).join(', ')}`;
  $('language').value = schema.language;
  const toggles = $('toggles');
  toggles.replaceChildren(...schema.labels.map((label, i) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = label.key;
    box.checked = true;
    const toggle = document.createElement('label');
    toggle.className = `toggle ${colourClass(i)}`;
    toggle.dataset.label = label.key;
    if (label.prompt !== label.key) {
      toggle.title = `prompted as ${label.prompt}`;
    }
    toggle.append(box, label.key);
    return toggle;
  }));
  setState('ready');
}

function customLabels() {
  // Full-width commas too, for labels typed on a Chinese keyboard.
  return $('custom').value.split(/[,，]/).map(s => s.trim()).filter(s => s.length > 0);
}

function request() {
  const text = $('text').value;
  const custom = customLabels();
  if (custom.length > 0) {
    // The caller's own schema: the model is prompted with these names in the chosen language.
    return {
      keys: custom,
      body: { text, schema: { name: 'custom', language: $('language').value, labels: custom } },
    };
  }
  if (schema === null) {
    return { keys: [], body: { text } };
  }
  const keys = [...$('toggles').querySelectorAll('input:checked')].map(box => box.value);
  // No toggle on sends an empty list, which the API refuses with a problem shown here.
  return { keys, body: { text, labels: keys } };
}

async function extract() {
  const { keys, body } = request();
  setState('busy');
  $('problem').hidden = true;
  const began = performance.now();
  const answer = await guarded('POST', 'v1/extract', body, extract);
  if (answer === null) {
    return;
  }
  if (!answer.ok) {
    showProblem(answer.status, answer.problem);
    return;
  }
  show(answer.json, keys, (performance.now() - began) / 1000);
  setState('done');
}

function show(doc, keys, seconds) {
  const order = new Map(keys.map((k, i) => [k, i]));
  for (const e of [...doc.entities, ...doc.unresolved]) {
    if (!order.has(e.label)) {
      order.set(e.label, order.size);
    }
  }
  const marked = $('marked');
  marked.replaceChildren(highlight(doc.text, doc.entities, order));

  const tbody = $('counts').tBodies[0];
  tbody.replaceChildren(...[...order.keys()].map(label => {
    const row = document.createElement('tr');
    row.dataset.label = label;
    const name = row.insertCell();
    const swatch = document.createElement('span');
    swatch.className = `swatch ${colourClass(order.get(label))}`;
    swatch.textContent = label;
    name.append(swatch);
    row.insertCell().textContent = doc.entities.filter(e => e.label === label).length;
    return row;
  }));
  const total = $('counts').tFoot ?? $('counts').createTFoot();
  total.replaceChildren();
  const sum = total.insertRow();
  sum.insertCell().textContent = 'total';
  sum.insertCell().textContent = doc.entities.length;

  list($('unresolved'), 'Predicted but not in the text', doc.unresolved.map(u => `${u.text} (${u.label})`));
  list($('failures'), 'Unreadable outputs', doc.failures.map(f => `${f.label} #${f.k}: ${f.failure}`));
  const model = doc.timings ? `, ${doc.timings.seconds.toFixed(3)} s in the model` : '';
  $('timing').textContent = `Took ${seconds.toFixed(3)} s${model}; ${doc.sequences} sequences, `
    + `${doc.tokens_generated} tokens generated by ${doc.model}.`;
  $('result').hidden = false;
}

function list(element, title, items) {
  element.textContent = items.length > 0 ? `${title}: ${items.join('; ')}` : '';
  element.hidden = items.length === 0;
}

// The text as nodes, each entity a <mark> over text[start, end). An entity inside another nests
// in it; one that crosses another's end is cut there and goes on in a second <mark> with the same
// data-entity, so every character keeps its place and every entity's marks together cover its span.
function highlight(text, entities, order) {
  const pieces = entities
    .map((e, i) => ({ i, s: e.start, e: e.end }))
    .filter(p => Number.isInteger(p.s) && Number.isInteger(p.e) && p.s >= 0 && p.s < p.e && p.e <= text.length);
  const out = document.createDocumentFragment();
  fill(out, text, 0, text.length, pieces, entities, order);
  return out;
}

function byPosition(a, b) {
  return a.s - b.s || b.e - a.e || a.i - b.i;
}

function fill(parent, text, from, to, pieces, entities, order) {
  let rest = [...pieces].sort(byPosition);
  let at = from;
  while (rest.length > 0) {
    const p = rest.shift();
    if (p.s > at) {
      parent.append(text.slice(at, p.s));
    }
    const inside = [];
    const after = [];
    for (const q of rest) {
      if (q.s >= p.e) {
        after.push(q);
      } else if (q.e <= p.e) {
        inside.push(q);
      } else {
        inside.push({ i: q.i, s: q.s, e: p.e });
        after.push({ i: q.i, s: p.e, e: q.e });
      }
    }
    const entity = entities[p.i];
    const mark = document.createElement('mark');
    mark.className = colourClass(order.get(entity.label));
    mark.dataset.entity = p.i;
    mark.dataset.label = entity.label;
    mark.dataset.start = entity.start;
    mark.dataset.end = entity.end;
    if (p.e < entity.end) {
      mark.dataset.more = ''; // not the entity's last piece: its label is shown after the last
    }
    mark.title = `${entity.label}: probability ${entity.probability.toFixed(3)} (mention ${entity.k})`;
    fill(mark, text, p.s, p.e, inside, entities, order);
    parent.append(mark);
    at = p.e;
    rest = after.sort(byPosition);
  }
  if (at < to) {
    parent.append(text.slice(at, to));
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('extract-form').addEventListener('submit', event => {
    event.preventDefault();
    extract();
  });
  $('text').addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!$('go').disabled) {
        $('extract-form').requestSubmit();
      }
    }
  });
  $('custom').addEventListener('input', () => {
    // The prompt language is one of the caller's own schema; the host's labels come with theirs.
    const own = customLabels().length > 0;
    $('labels').classList.toggle('custom-on', own);
    $('language').disabled = !own;
    if (!own && schema !== null) {
      $('language').value = schema.language;
    }
  });
  $('key-form').addEventListener('submit', event => {
    event.preventDefault();
    apiKey = $('key-input').value;
    $('key-input').value = '';
    $('key-form').hidden = true;
    const again = afterKey;
    afterKey = null;
    again?.();
  });
  loadLabels();
});
