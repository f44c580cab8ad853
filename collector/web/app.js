// app.js: the collector's page (README "The collector's page"): plain JS,
// nothing fetched but this collector's own /api/.
'use strict';

const STATE_VI = { queued: 'Đang chờ gửi', sent: 'Đã gửi (trạm chuyển tiếp giữ)',
  stored: 'Đã lưu ở tỉnh', refused: 'Bị từ chối' };
const DOC_VI = { proposal: 'Tờ trình', council_minutes: 'Biên bản họp Hội đồng',
  achievement_report: 'Báo cáo thành tích' };
let form = null;
let correcting = null;       // the parked report being corrected: {seq, values}
let docCount = 0;

function $(id) { return document.getElementById(id); }

function password() { return sessionStorage.getItem('lnob-web-password'); }

async function raw(method, path, body, type) {
  const opts = { method, headers: { Authorization: 'Bearer ' + password() } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = type || 'application/json';
    opts.body = type ? body : JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 401) {
    sessionStorage.removeItem('lnob-web-password');
    showLogin('Sai mật khẩu.');
    throw new Error('unauthorized');
  }
  return r;
}

async function api(method, path, body, type) {
  const r = await raw(method, path, body, type);
  const doc = await r.json();
  return { status: r.status, doc };
}

function showLogin(msg) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-msg').textContent = msg || '';
}

function say(id, ok, text) {
  $(id).className = ok ? 'ok' : 'err';
  $(id).textContent = text;
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

function renderRequests() {
  const list = $('request-list');
  list.textContent = '';
  $('requests').hidden = !form.requests.length;
  for (const q of form.requests) {
    const li = document.createElement('li');
    li.id = 'request-' + q.id;
    const names = q.indicators.map(i => i.label).join(', ');
    li.textContent = q.id + ' — hạn ' + q.due + (q.late ? ' (quá hạn)' : '') +
      (q.note ? ' — ' + q.note : '') + ' — đơn vị: ' + q.units.join(', ') + ' — chỉ tiêu: ' + names + ' ';
    if (q.late) li.className = 'late';
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Mở biểu mẫu';
    b.addEventListener('click', () => loadForm(form.campaign, q.id));
    li.appendChild(b);
    list.appendChild(li);
  }
}

async function loadForm(campaign, period, unit) {
  let q = '';
  if (campaign) q = '?campaign=' + encodeURIComponent(campaign) + (period ? '&period=' + encodeURIComponent(period) : '');
  const { status, doc } = await api('GET', '/api/form' + q);
  if (status !== 200) {
    say('submit-msg', false, doc.message);
    return;
  }
  form = doc;
  fillSelect($('campaign'), doc.campaigns.map(c => ({ value: c.id, text: c.name || c.id })), doc.campaign);
  const camp = doc.campaigns.find(c => c.id === doc.campaign);
  fillSelect($('period'), camp.periods.map(p => ({ value: p, text: p })), doc.period);
  fillSelect($('unit'), doc.units.map(u => ({ value: u.code, text: u.code + ' — ' + u.name })), unit || null);
  fillSelect($('nom-unit'), doc.units.map(u => ({ value: u.code, text: u.code + ' — ' + u.name })), null);
  fillSelect($('nom-occasion'), camp.periods.map(p => ({ value: p, text: p })), doc.period);
  renderRequests();
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
    const prev = document.createElement('span');
    prev.className = 'prev';
    prev.id = 'prev-' + ind.code;
    if (unit.previous && ind.code in unit.previous.values)
      prev.textContent = 'Kỳ trước (' + unit.previous.period + '): ' + unit.previous.values[ind.code];
    const msg = document.createElement('span');
    msg.className = 'msg err';
    row.append(label, input, prev, msg);
    box.appendChild(row);
  }
  if (correcting && correcting.unit === unit.code) {
    for (const [code, v] of Object.entries(correcting.values)) {
      const el = $('ind-' + code);
      if (el) el.value = String(v);
    }
  }
}

function stopCorrecting() {
  correcting = null;
  $('correcting').hidden = true;
  $('cancel-fix').hidden = true;
}

async function startCorrecting(seq) {
  const { status, doc } = await api('GET', '/api/report?seq=' + seq);
  if (status !== 200) {
    say('submit-msg', false, doc.message);
    return;
  }
  correcting = doc;
  await loadForm(doc.campaign, doc.period, doc.unit);
  const c = $('correcting');
  c.hidden = false;
  $('cancel-fix').hidden = false;
  c.textContent = 'Đang sửa báo cáo số ' + seq + ' (' + doc.unit + ', kỳ ' + doc.period + ') bị từ chối: ' +
    doc.reason + (doc.detail ? ': ' + doc.detail : '') + '. Gửi sẽ tạo bản sửa mới.';
  $('submit-msg').textContent = '';
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
  if (correcting) body.corrects = correcting.seq;
  const { status, doc } = await api('POST', '/api/reports', body);
  if (status === 200) {
    say('submit-msg', true, 'Đã xếp hàng chờ gửi (số ' + doc.seq + ').' +
      (doc.dismissed ? ' Báo cáo số ' + doc.dismissed + ' đã được thay thế.' : ''));
    stopCorrecting();
  } else {
    const m = /^page: entry \d+: ([A-Za-z0-9._-]+):/.exec(doc.message || '');
    const el = m ? $('ind-' + m[1]) : null;
    if (el) el.classList.add('bad');
    say('submit-msg', false, 'Bị từ chối' + (el ? ' (' + el.parentElement.querySelector('label').textContent + ')' : '') +
      ': ' + doc.message);
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
    const td = document.createElement('td');
    if (r.state === 'refused' && r.unit) {
      const b = document.createElement('button');
      b.type = 'button';
      b.id = 'fix-' + r.seq;
      b.textContent = 'Sửa và gửi lại';
      b.addEventListener('click', () => startCorrecting(r.seq));
      td.appendChild(b);
    }
    tr.appendChild(td);
    tbody.appendChild(tr);
  }
}

// ---- nominations ----------------------------------------------------------

function addDoc(kind) {
  const i = docCount++;
  const box = document.createElement('div');
  box.className = 'doc';
  box.id = 'doc-' + i;
  const sel = document.createElement('select');
  sel.id = 'doc-kind-' + i;
  fillSelect(sel, Object.entries(DOC_VI).map(([v, t]) => ({ value: v, text: t })), kind);
  const title = document.createElement('input');
  title.id = 'doc-title-' + i;
  title.placeholder = 'Tên tài liệu';
  const vote = document.createElement('input');
  vote.id = 'doc-vote-' + i;
  vote.placeholder = 'Biểu quyết, ví dụ 9/11';
  const file = document.createElement('input');
  file.type = 'file';
  file.id = 'doc-file-' + i;
  const showVote = () => { vote.hidden = sel.value !== 'council_minutes'; };
  sel.addEventListener('change', showVote);
  showVote();
  for (const [text, el] of [['Loại', sel], ['Tên', title], ['', vote], ['Tệp', file]]) {
    const l = document.createElement('label');
    l.append(text ? text + ' ' : '', el);
    box.appendChild(l);
  }
  $('docs').appendChild(box);
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const fr = new FileReader();
    fr.onload = () => resolve(String(fr.result).replace(/^data:[^,]*,/, ''));
    fr.onerror = () => reject(fr.error);
    fr.readAsDataURL(file);
  });
}

async function nominationBody() {
  const body = {
    campaign: $('campaign').value, id: $('nom-id').value.trim(), nominee_kind: $('nom-kind').value,
    nominee_name: $('nom-name').value.trim(), unit: $('nom-unit').value,
    form: $('nom-form-kind').value, occasion: $('nom-occasion').value,
    summary: $('nom-summary').value.trim(), dossier: [],
  };
  const c = $('nom-contribution').value.trim();
  if (c !== '') body.contribution_vnd = /^[0-9]+$/.test(c) ? Number(c) : c;
  const s = $('nom-sanction').value.trim();
  if (s !== '') body.sanction = s;
  for (const box of $('docs').querySelectorAll('.doc')) {
    const i = box.id.slice(4);
    const d = { kind: $('doc-kind-' + i).value, title: $('doc-title-' + i).value.trim() };
    if (d.kind === 'council_minutes') d.vote = $('doc-vote-' + i).value.trim();
    const f = $('doc-file-' + i).files[0];
    if (f) d.data = await readBase64(f);
    body.dossier.push(d);
  }
  return body;
}

const NOM_FIELDS = { campaign: ['campaign', 'Chương trình'], id: ['nom-id', 'Số hồ sơ'],
  nominee_kind: ['nom-kind', 'Đối tượng'], nominee_name: ['nom-name', 'Tên đối tượng'],
  unit: ['nom-unit', 'Đơn vị'], form: ['nom-form-kind', 'Hình thức'], occasion: ['nom-occasion', 'Dịp'],
  summary: ['nom-summary', 'Tóm tắt thành tích'], contribution_vnd: ['nom-contribution', 'Đóng góp'],
  sanction: ['nom-sanction', 'Kỷ luật'], dossier: ['docs', 'Hồ sơ kèm theo'] };
const DOC_FIELDS = { kind: ['doc-kind-', 'loại'], title: ['doc-title-', 'tên'], vote: ['doc-vote-', 'biểu quyết'],
  data: ['doc-file-', 'tệp'], file: ['doc-file-', 'tệp'], sha256: ['doc-file-', 'tệp'], size: ['doc-file-', 'tệp'] };

// The field a refusal names by its JSON path ("page: dossier[1].vote: ..."):
// marked, and its Vietnamese name, or null.
function markNominationField(message) {
  for (const el of document.querySelectorAll('#nom-form .bad')) el.classList.remove('bad');
  const m = /^page: ([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z0-9_]+))?:/.exec(message);
  if (!m) return null;
  let id = null, name = null;
  if (m[1] === 'dossier' && m[2] !== undefined) {
    const box = $('docs').querySelectorAll('.doc')[Number(m[2])];
    const f = DOC_FIELDS[m[3]] || ['doc-kind-', 'loại'];
    if (box) id = f[0] + box.id.slice(4);
    name = 'Tài liệu ' + (Number(m[2]) + 1) + ', ' + f[1];
  } else if (NOM_FIELDS[m[1]]) {
    [id, name] = NOM_FIELDS[m[1]];
  }
  if (id && $(id)) $(id).classList.add('bad');
  return name;
}

async function submitNomination(ev) {
  ev.preventDefault();
  say('nom-msg', true, 'Đang gửi…');
  const { status, doc } = await api('POST', '/api/nominations', await nominationBody());
  if (status === 200) {
    markNominationField('');   /* accepted: no field is wrong any more */
    say('nom-msg', true, 'Đã xếp hàng chờ gửi đề nghị ' + doc.key + ' (số ' + doc.seq + ', ' +
      doc.documents.length + ' tài liệu).');
  } else {
    const field = markNominationField(doc.message || '');
    say('nom-msg', false, 'Bị từ chối' + (field ? ' (' + field + ')' : '') + ': ' + doc.message);
  }
  refreshReports();
}

// ---- the Excel template ---------------------------------------------------

function tplQuery() {
  return '?campaign=' + encodeURIComponent($('campaign').value) + '&period=' +
    encodeURIComponent($('period').value);
}

async function downloadTemplate() {
  const r = await raw('GET', '/api/template' + tplQuery());
  if (r.status !== 200) {
    say('tpl-msg', false, (await r.json()).message);
    return;
  }
  const blob = await r.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = $('campaign').value + '-' + $('period').value + '.xlsx';
  document.body.appendChild(a);
  a.click();
  a.remove();
  say('tpl-msg', true, 'Đã tải ' + a.download + ' (' + blob.size + ' byte).');
}

async function uploadXlsx() {
  const f = $('xlsx-file').files[0];
  if (!f) {
    say('xlsx-msg', false, 'Chưa chọn tệp.');
    return;
  }
  const q = tplQuery() + '&name=' + encodeURIComponent(f.name);
  const { status, doc } = await api('POST', '/api/template' + q, await f.arrayBuffer(),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  if (status === 200)
    say('xlsx-msg', true, 'Đã xếp hàng chờ gửi ' + doc.queued + ' báo cáo (số ' + doc.seq + ' trở đi).');
  else
    say('xlsx-msg', false, 'Bị từ chối: ' + doc.message + ' (không báo cáo nào được xếp hàng)');
  refreshReports();
}

// ---- start ----------------------------------------------------------------

function showTab(btn) {
  for (const b of document.querySelectorAll('.tab')) {
    b.classList.toggle('on', b === btn);
    $(b.dataset.pane).hidden = b !== btn;
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
$('campaign').addEventListener('change', () => { stopCorrecting(); loadForm($('campaign').value); });
$('period').addEventListener('change', () => { stopCorrecting(); loadForm($('campaign').value, $('period').value); });
$('unit').addEventListener('change', renderFields);
$('report-form').addEventListener('submit', submitReport);
$('cancel-fix').addEventListener('click', () => { stopCorrecting(); renderFields(); });
$('nom-form').addEventListener('submit', submitNomination);
$('add-doc').addEventListener('click', () => addDoc('proposal'));
$('tpl-download').addEventListener('click', downloadTemplate);
$('xlsx-upload').addEventListener('click', uploadXlsx);
for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b));
addDoc('proposal');
addDoc('council_minutes');
addDoc('achievement_report');
setInterval(() => { if (password() && !$('main').hidden) tick(); }, 2000);
if (password()) start(); else showLogin();
