// Sample browser for report.html. Plain browser JavaScript, inlined by reports/html/page.ts.
// All data comes from the JSON block with id "eve-data" (type application/json) and is written into the
// page with textContent / setAttribute only, never innerHTML: model answers and dataset text are
// untrusted. Filtering walks flat arrays and only one page of rows is built, so 200k samples stay fast.
(function () {
  // biome-ignore lint/suspicious/noRedundantUseStrict: inlined as a classic script element, not a module
  'use strict';
  var data = JSON.parse(document.getElementById('eve-data').textContent);
  var models = data.models;
  var benchmarks = data.benchmarks;
  var rows = data.rows; // [benchIndex, id, prompt (without benchmarks[i].suffix), truth, thumbIndex, width, height, answers[], credits[], errors[] (0 or "kind: message")]
  var PAGE = 25;
  var state = { bench: -1, wrong: false, disagree: false, errored: false, model: -1, q: '', page: 0 };
  var matches = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function $(id) {
    return document.getElementById(id);
  }

  function isWrong(r, m) {
    var c = r[8][m];
    return c !== null && c < 0.5;
  }
  function isErr(r, m) {
    return !!r[9][m];
  }
  function disagrees(r) {
    var seen = -1;
    for (var m = 0; m < models.length; m++) {
      var c = r[8][m];
      if (c === null) continue;
      var v = c >= 0.5 ? 1 : 0;
      if (seen === -1) seen = v;
      else if (seen !== v) return true;
    }
    return false;
  }

  function recompute() {
    var q = state.q.toLowerCase();
    matches = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (state.bench !== -1 && r[0] !== state.bench) continue;
      var ms = state.model === -1 ? null : [state.model];
      if (state.wrong) {
        var w = false;
        for (var m = 0; m < models.length && !w; m++) if ((!ms || m === state.model) && isWrong(r, m)) w = true;
        if (!w) continue;
      }
      if (state.errored) {
        var e = false;
        for (var k = 0; k < models.length && !e; k++) if ((!ms || k === state.model) && isErr(r, k)) e = true;
        if (!e) continue;
      }
      if (state.disagree && !disagrees(r)) continue;
      if (q) {
        var hay = (r[1] + '\u0000' + r[2] + '\u0000' + (r[3] || '') + '\u0000' + r[7].join('\u0000')).toLowerCase();
        if (hay.indexOf(q) === -1) continue;
      }
      matches.push(i);
    }
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    render();
  }

  function creditBadge(c, err) {
    if (err) return el('span', 'badge badge-err', 'error');
    if (c === null || c === undefined) return el('span', 'badge badge-none', 'not scored');
    if (c >= 1) return el('span', 'badge badge-ok', 'right');
    if (c <= 0) return el('span', 'badge badge-bad', 'wrong');
    return el('span', c >= 0.5 ? 'badge badge-ok' : 'badge badge-part', 'credit ' + Math.round(c * 100) / 100);
  }

  function renderRow(r) {
    var card = el('article', 'sample');
    var thumbBox = el('div', 'thumb');
    var t = r[4] >= 0 ? data.thumbs[r[4]] : null;
    if (t && t.indexOf('data:image/') === 0) {
      var img = document.createElement('img');
      img.setAttribute('alt', 'thumbnail of ' + r[1]);
      // No loading="lazy": the data URL is already in memory, and lazy images stay blank in print and screenshots.
      img.src = t;
      thumbBox.appendChild(img);
    } else {
      thumbBox.appendChild(el('span', 'nothumb', r[5] ? 'no thumbnail' : 'no image'));
    }
    if (r[5]) thumbBox.appendChild(el('div', 'dims', r[5] + '×' + r[6]));
    card.appendChild(thumbBox);

    var body = el('div', 'sample-body');
    var head = el('div', 'sample-head');
    head.appendChild(el('span', 'chip', benchmarks[r[0]].title));
    head.appendChild(el('code', 'sid', r[1]));
    body.appendChild(head);
    body.appendChild(el('p', 'prompt', r[2] + benchmarks[r[0]].suffix));
    var truth = el('p', 'truth');
    truth.appendChild(el('span', 'label', 'Ground truth'));
    truth.appendChild(el('span', 'truth-text', r[3] === null ? '(not public)' : r[3]));
    body.appendChild(truth);
    var table = el('table', 'answers');
    var tb = el('tbody');
    for (var m = 0; m < models.length; m++) {
      if (r[7][m] === null && r[8][m] === null && !r[9][m]) continue;
      var tr = el('tr', state.model === m ? 'focus' : '');
      var name = el('th', 'model-name');
      var sw = el('span', 'swatch');
      sw.style.background = data.colors[m % data.colors.length];
      name.appendChild(sw);
      name.appendChild(document.createTextNode(models[m]));
      tr.appendChild(name);
      // A score without a stored answer: the model was added with `score --results` from a predictions file.
      var ans = el(
        'td',
        'answer',
        r[7][m] !== null ? r[7][m] : r[8][m] !== null ? '(answer not stored in this run directory: scored from a predictions file)' : '(no prediction)',
      );
      // The error's reason (kind: message), not only a badge.
      if (typeof r[9][m] === 'string') ans.appendChild(el('div', 'err-reason', r[9][m]));
      tr.appendChild(ans);
      var st = el('td', 'verdict');
      st.appendChild(creditBadge(r[8][m], !!r[9][m]));
      tr.appendChild(st);
      tb.appendChild(tr);
    }
    table.appendChild(tb);
    body.appendChild(table);
    card.appendChild(body);
    return card;
  }

  function render() {
    var list = $('sample-list');
    list.replaceChildren();
    var start = state.page * PAGE;
    for (var i = start; i < Math.min(matches.length, start + PAGE); i++) list.appendChild(renderRow(rows[matches[i]]));
    if (matches.length === 0) list.appendChild(el('p', 'empty', 'No sample matches these filters.'));
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    $('match-count').textContent = matches.length.toLocaleString('en-US');
    $('total-count').textContent = rows.length.toLocaleString('en-US');
    $('page-info').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
  }

  function init() {
    var bsel = $('f-bench');
    for (var b = 0; b < benchmarks.length; b++) {
      var o = el('option', null, benchmarks[b].title + ' (' + benchmarks[b].n.toLocaleString('en-US') + ')');
      o.value = String(b);
      bsel.appendChild(o);
    }
    var msel = $('f-model');
    for (var m = 0; m < models.length; m++) {
      var mo = el('option', null, models[m]);
      mo.value = String(m);
      msel.appendChild(mo);
    }
    bsel.addEventListener('change', function () {
      state.bench = Number(bsel.value);
      state.page = 0;
      recompute();
    });
    msel.addEventListener('change', function () {
      state.model = Number(msel.value);
      state.page = 0;
      recompute();
    });
    [
      ['f-wrong', 'wrong'],
      ['f-disagree', 'disagree'],
      ['f-errored', 'errored'],
    ].forEach(function (p) {
      var box = $(p[0]);
      box.addEventListener('change', function () {
        state[p[1]] = box.checked;
        state.page = 0;
        recompute();
      });
    });
    var timer = null;
    $('f-q').addEventListener('input', function (ev) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.q = ev.target.value;
        state.page = 0;
        recompute();
      }, 200);
    });
    $('prev').addEventListener('click', function () {
      if (state.page > 0) {
        state.page--;
        render();
      }
    });
    $('next').addEventListener('click', function () {
      state.page++;
      render();
    });
    recompute();
  }
  init();
})();
