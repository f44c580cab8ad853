// app.js: the collector's page (README "The collector's page"): plain JS,
// nothing fetched but this collector's own /api/.
'use strict';

const STATE_VI = { queued: 'Đang chờ gửi', sent: 'Đã gửi (trạm chuyển tiếp giữ)',
  stored: 'Đã lưu ở tỉnh', refused: 'Bị từ chối' };
let form = null;

function $(id) { return document.getElementById(id); }

function password() { return sessionStorage.getItem('lnob-web-password'); }

async function api(method, path, body) {
  const opts = { method, headers: { Authorization: 'Bearer ' + password() } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 401) {
    sessionStorage.removeItem('lnob-web-password');
    showLogin('Sai mật khẩu.');
    throw new Error('unauthorized');
  }
  const doc = await r.json();
  return { status: r.status, doc };
}

function showLogin(msg) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-msg').textContent = msg || '';
}

function timeText(ms) {
  return ms ? new Date(ms).toLocaleString('vi-VN') : 'chưa bao giờ';
}

async function refreshStatus() {
  const { doc } = await api('GET', '/api/status');
  const now = Date.now();
  const up = doc.last_contact_ms && now - doc.last_contact_ms < 15000;
  const el = $('link');
  el.className = 'link ' + (up ? 'up' : 'down');
  let t = (up ? 'Đã kết nối' : 'Mất kết nối') + ' · liên lạc cuối: ' + timeText(doc.last_contact_ms) +
    ' · chờ gửi: ' + doc.queued;
  if (doc.queued && doc.oldest_queued_at_ms) t += ' (cũ nhất: ' + timeText(doc.oldest_queued_at_ms) + ')';
  t += ' · bị giữ lại: ' + doc.parked;
  t += doc.metadata ? ' · dữ liệu danh mục v' + doc.metadata.version : ' · chưa có danh mục';
  el.textContent = t;
  el.dataset.queued = doc.queued;
}

function fillSelect(sel, items, chosen) {
  sel.textContent = '';
  for (const it of items) {
    const o = document.createElement('option');
    o.value = it.value;
    o.textContent = it.text;
    if (it.value === chosen) o.selected = true;
    sel.appendChild(o);
  }
}

async function loadForm(campaign, period) {
  let q = '';
  if (campaign) q = '?campaign=' + encodeURIComponent(campaign) + (period ? '&period=' + encodeURIComponent(period) : '');
  const { status, doc } = await api('GET', '/api/form' + q);
  if (status !== 200) {
    $('submit-msg').className = 'err';
    $('submit-msg').textContent = doc.message;
    return;
  }
  form = doc;
  fillSelect($('campaign'), doc.campaigns.map(c => ({ value: c.id, text: c.name || c.id })), doc.campaign);
  const camp = doc.campaigns.find(c => c.id === doc.campaign);
  fillSelect($('period'), camp.periods.map(p => ({ value: p, text: p })), doc.period);
  fillSelect($('unit'), doc.units.map(u => ({ value: u.code, text: u.code + ' — ' + u.name })), null);
  renderFields();
}

function checkField(input) {
  const v = input.value.trim();
  const msg = input.parentElement.querySelector('.msg');
  if (v === '' || /^[0-9]+$/.test(v)) {
    input.classList.remove('bad');
    msg.textContent = '';
  } else {
    input.classList.add('bad');
    msg.textContent = 'Phải là số nguyên không âm';
  }
}

function renderFields() {
  const box = $('fields');
  box.textContent = '';
  const unit = form.units.find(u => u.code === $('unit').value);
  if (!unit) return;
  for (const ind of unit.indicators) {
    const row = document.createElement('div');
    row.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = 'ind-' + ind.code;
    label.textContent = ind.label + (ind.kind === 'amount' ? ' (đồng)' : '');
    const input = document.createElement('input');
    input.id = 'ind-' + ind.code;
    input.name = ind.code;
    input.inputMode = 'numeric';
    input.addEventListener('input', () => checkField(input));
    const msg = document.createElement('span');
    msg.className = 'msg err';
    row.append(label, input, msg);
    box.appendChild(row);
  }
}

async function submitReport(ev) {
  ev.preventDefault();
  const values = {};
  for (const input of $('fields').querySelectorAll('input')) {
    const v = input.value.trim();
    if (v === '') continue;
    values[input.name] = /^-?[0-9]+$/.test(v) ? Number(v) : v;
  }
  const body = { campaign: $('campaign').value, period: $('period').value, unit: $('unit').value, values };
  const { status, doc } = await api('POST', '/api/reports', body);
  const msg = $('submit-msg');
  if (status === 200) {
    msg.className = 'ok';
    msg.textContent = 'Đã xếp hàng chờ gửi (số ' + doc.seq + ').';
  } else {
    msg.className = 'err';
    msg.textContent = 'Bị từ chối: ' + doc.message;
  }
  refreshReports();
}

async function refreshReports() {
  const { doc } = await api('GET', '/api/reports');
  const tbody = $('reports').querySelector('tbody');
  tbody.textContent = '';
  for (const r of doc.reports.slice().reverse()) {
    const tr = document.createElement('tr');
    tr.id = 'report-' + r.seq;
    tr.dataset.state = r.state;
    const cells = [String(r.seq), r.unit, r.period, r.campaign, STATE_VI[r.state] || r.state,
      r.reason ? r.reason + ': ' + r.detail : ''];
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (i === 4) td.className = 'state-' + r.state;
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
}

async function tick() {
  try {
    await refreshStatus();
    await refreshReports();
  } catch (e) { /* shown by the next tick or the login */ }
}

async function start() {
  $('login').hidden = true;
  $('main').hidden = false;
  try {
    await tick();
    await loadForm();
  } catch (e) { return; }
}

$('login-form').addEventListener('submit', ev => {
  ev.preventDefault();
  sessionStorage.setItem('lnob-web-password', $('password').value);
  start();
});
$('campaign').addEventListener('change', () => loadForm($('campaign').value));
$('period').addEventListener('change', () => loadForm($('campaign').value, $('period').value));
$('unit').addEventListener('change', renderFields);
$('report-form').addEventListener('submit', submitReport);
setInterval(() => { if (password() && !$('main').hidden) tick(); }, 2000);
if (password()) start(); else showLogin();
