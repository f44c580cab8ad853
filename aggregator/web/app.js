/* app.js: lnob's dashboard. Plain JS, no framework, nothing fetched but the
 * aggregator's own /api/* (the documents the CLI's --json prints). */
'use strict';
(function () {
const I18N = {
  vi: {
    title: 'Vì người nghèo – Không để ai bị bỏ lại phía sau', skip: 'Bỏ qua đến nội dung',
    logout: 'Đăng xuất', login: 'Nhập mã truy cập', token: 'Mã truy cập (token)', enter: 'Vào',
    units: 'Đơn vị', search: 'Tìm đơn vị', searchHint: 'Mã hoặc tên, có dấu hay không dấu',
    noHits: 'Không tìm thấy đơn vị', path: 'Đường dẫn', campaign: 'Phong trào', period: 'Kỳ',
    export: 'Xuất Excel', print: 'In', tabSummary: 'Tổng hợp', tabNoms: 'Khen thưởng',
    tabFleet: 'Mạng lưới', tabAmend: 'Sửa đổi, phê duyệt', targets: 'Chỉ tiêu', values: 'Chỉ số',
    completeness: 'Báo cáo đầy đủ, đúng hạn', children: 'Đơn vị trực thuộc', close: 'Đóng',
    loading: 'Đang tải…', badToken: 'Mã truy cập không hợp lệ hoặc đã hết hạn',
    reported: 'Đã báo cáo {0} / {1} đơn vị', complete: 'đủ', incomplete: 'chưa đủ',
    MET: 'Đạt', NOT_MET: 'Chưa đạt', NOT_DUE: 'Chưa đến hạn', NO_DATA: 'Không có số liệu',
    INCOMPLETE: 'Số liệu chưa đủ', onUnits: 'trên {0} / {1} đơn vị', progress: 'Tiến độ',
    achievement: 'Mức đạt', required: 'Cần thay đổi đến nay', achieved: 'Đã thay đổi', target: 'Mục tiêu',
    decidedBy: 'quyết định bởi', noTargets: 'Không có chỉ tiêu', indicator: 'Chỉ số', value: 'Giá trị',
    baseline: 'Đầu kỳ', vsBaseline: 'So đầu kỳ', previous: 'Kỳ trước', vsPrevious: 'So kỳ trước',
    coverage: 'Độ phủ', trend: 'Diễn biến', level: 'Cấp', expected: 'Phải báo cáo', onTime: 'Đúng hạn',
    late: 'Trễ hạn', missing: 'Chưa báo cáo', pending: 'Chưa đến hạn', conflicts: 'Xung đột',
    lateUnits: 'Đơn vị trễ hạn', missingUnits: 'Đơn vị chưa báo cáo', deadline: 'Hạn',
    completed: 'Hoàn thành lúc', received: 'Nhận lúc', parent: 'thuộc', unit: 'Đơn vị',
    status: 'Tình trạng', st_on_time: 'Đúng hạn', st_late: 'Trễ hạn', st_missing: 'Chưa báo cáo',
    st_pending: 'Chưa đến hạn', st_not_expected: 'Không yêu cầu', directChildren: 'Trực thuộc',
    none: 'Không có', generated: 'Số liệu lúc {0}', noms: 'Đề nghị khen thưởng', byForm: 'Theo hình thức',
    byStage: 'Theo bước', byKind: 'Theo đối tượng', total: 'Tổng', nominee: 'Đối tượng', form: 'Hình thức',
    stage: 'Bước', holder: 'Đang ở', eligibility: 'Điều kiện', waiting: 'Chờ (ngày)', key: 'Mã',
    dossier: 'Hồ sơ', history: 'Quá trình', earlier: 'Đề nghị trước', doc: 'Tài liệu', vote: 'Biểu quyết',
    at: 'Lúc', by: 'Bởi', reason: 'Lý do', note: 'Ghi chú', decision: 'Quyết định',
    giay_khen: 'Giấy khen', bang_khen_province: 'Bằng khen UBND tỉnh', bang_khen_pm: 'Bằng khen Thủ tướng',
    huan_chuong_lao_dong: 'Huân chương Lao động', sg_proposed: 'Đề nghị', sg_received: 'Tiếp nhận',
    sg_appraised: 'Thẩm định', sg_endorsed: 'Đồng ý', sg_returned: 'Trả lại', sg_rejected: 'Không đồng ý',
    sg_decided: 'Đã quyết định', reportedCol: 'Đã báo cáo', levelOf: 'Cấp {0}', lv_province: 'tỉnh', lv_district: 'huyện', lv_commune: 'xã', lv_village: 'thôn, tổ dân phố', collective: 'Tập thể', individual: 'Cá nhân', household: 'Hộ gia đình',
    enterprise: 'Doanh nghiệp', eligible: 'Đủ điều kiện', not_eligible: 'Chưa đủ điều kiện',
    no_data: 'Không có số liệu', fleet: 'Các nút trong mạng lưới', node: 'Nút', scope: 'Phạm vi',
    link: 'Kết nối', lastContact: 'Liên lạc cuối', queued: 'Đang chờ gửi', parked: 'Tạm giữ',
    oldest: 'Cũ nhất chưa gửi', via: 'Qua', up: 'Thông', down: 'Mất kết nối', never: 'Chưa kết nối',
    linksDown: '{0} kết nối mất', queuedWhere: 'Đang chờ gửi ở đâu', relays: 'Trạm chuyển tiếp', nodeCount: 'Số nút', queuedTotal: '{0} bản tin đang chờ', rejectedBy: 'Bản tin bị từ chối theo lý do',
    amendments: 'Sửa đổi chờ duyệt', accept: 'Chấp nhận', reject: 'Từ chối', revision: 'Lần sửa',
    difference: 'Chênh lệch', becomes: 'Thành số liệu hiện hành', approvals: 'Phê duyệt số liệu',
    approve: 'Phê duyệt kỳ này', unapprove: 'Bỏ phê duyệt', approvedBy: 'Đã phê duyệt bởi {0} lúc {1}',
    notApproved: 'Kỳ này của đơn vị chưa được phê duyệt', reasonAsk: 'Lý do từ chối:', noteAsk: 'Ghi chú (không bắt buộc):',
    done: 'Đã thực hiện', forbidden: 'Không có quyền', role_viewer: 'xem', role_operator: 'điều hành',
    exporting: 'Đang xuất…', yes: 'có', no: 'không', pendingAmend: '{0} sửa đổi đang chờ',
    onlyRoot: 'Chỉ mã truy cập cấp tỉnh xem được', list: 'Danh sách', count: 'Số lượng',
    tabRequests: 'Đột xuất', requests: 'Yêu cầu báo cáo đột xuất', noRequests: 'Phong trào này chưa có yêu cầu đột xuất nào',
    due: 'Hạn trả lời', lateFrom: 'trễ hạn từ {0}', overdue: 'Đã quá hạn', open: 'Còn hạn', replies: 'Đã trả lời',
    notReplied: 'Đơn vị chưa trả lời', allReplied: 'Tất cả đơn vị đã trả lời', askedInds: 'Chỉ số yêu cầu',
    createdAt: 'Tạo lúc', viewProgress: 'Xem tiến độ', refresh: 'Làm mới', newRequest: 'Tạo yêu cầu đột xuất',
    rqId: 'Mã yêu cầu', rqIdHint: '1–64 ký tự A–Z a–z 0–9 . _ -, không trùng kỳ hay yêu cầu nào của phong trào',
    rqUnits: 'Mã các đơn vị được yêu cầu', rqUnitsHint: 'Cách nhau bằng dấu phẩy; mỗi đơn vị tự báo cáo cho cả địa bàn của mình',
    rqFind: 'Tìm đơn vị để thêm', add: 'Thêm', rqInds: 'Chỉ số (số đếm, số tiền)', rqDue: 'Hạn trả lời (hết ngày này)',
    rqSubmit: 'Tạo yêu cầu', rqCreated: 'Đã tạo yêu cầu {0}', adhoc: 'đột xuất', adhocPeriods: 'Yêu cầu đột xuất'
  },
  en: {
    title: 'For the poor – Leave no one behind', skip: 'Skip to content',
    logout: 'Log out', login: 'Enter your access token', token: 'Access token', enter: 'Enter',
    units: 'Units', search: 'Find a unit', searchHint: 'Code or name, with or without diacritics',
    noHits: 'No unit found', path: 'Path', campaign: 'Campaign', period: 'Period',
    export: 'Export to Excel', print: 'Print', tabSummary: 'Summary', tabNoms: 'Awards',
    tabFleet: 'Network', tabAmend: 'Amendments, approval', targets: 'Targets', values: 'Indicators',
    completeness: 'Completeness and timeliness', children: 'Units below', close: 'Close',
    loading: 'Loading…', badToken: 'The token is not valid or has expired',
    reported: 'Reported by {0} of {1} units', complete: 'complete', incomplete: 'incomplete',
    MET: 'Met', NOT_MET: 'Not met', NOT_DUE: 'Not due', NO_DATA: 'No data',
    INCOMPLETE: 'Incomplete data', onUnits: 'on {0} of {1} units', progress: 'Progress',
    achievement: 'Achievement', required: 'Change required by now', achieved: 'Change achieved', target: 'Target',
    decidedBy: 'decided by', noTargets: 'No targets', indicator: 'Indicator', value: 'Value',
    baseline: 'Baseline', vsBaseline: 'vs baseline', previous: 'Previous', vsPrevious: 'vs previous',
    coverage: 'Coverage', trend: 'Trend', level: 'Level', expected: 'Expected', onTime: 'On time',
    late: 'Late', missing: 'Missing', pending: 'Pending', conflicts: 'Conflicts',
    lateUnits: 'Late units', missingUnits: 'Missing units', deadline: 'Deadline',
    completed: 'Completed', received: 'Received', parent: 'in', unit: 'Unit',
    status: 'Status', st_on_time: 'On time', st_late: 'Late', st_missing: 'Missing',
    st_pending: 'Pending', st_not_expected: 'Not expected', directChildren: 'Direct children',
    none: 'None', generated: 'Figures as of {0}', noms: 'Award nominations', byForm: 'By form',
    byStage: 'By stage', byKind: 'By nominee kind', total: 'Total', nominee: 'Nominee', form: 'Form',
    stage: 'Stage', holder: 'Held by', eligibility: 'Eligibility', waiting: 'Waiting (days)', key: 'Key',
    dossier: 'Dossier', history: 'History', earlier: 'Earlier nominations', doc: 'Document', vote: 'Vote',
    at: 'At', by: 'By', reason: 'Reason', note: 'Note', decision: 'Decision',
    giay_khen: 'Certificate of merit', bang_khen_province: "Provincial chairman's Bằng khen",
    bang_khen_pm: "Prime Minister's Bằng khen", huan_chuong_lao_dong: 'Labour Order',
    sg_proposed: 'Proposed', sg_received: 'Received', sg_appraised: 'Appraised', sg_endorsed: 'Endorsed',
    sg_returned: 'Returned', sg_rejected: 'Rejected', sg_decided: 'Decided', reportedCol: 'Reported', levelOf: 'Level: {0}', lv_province: 'province', lv_district: 'district', lv_commune: 'commune', lv_village: 'village', collective: 'Collective',
    individual: 'Individual', household: 'Household', enterprise: 'Enterprise', eligible: 'Eligible',
    not_eligible: 'Not eligible', no_data: 'No data', fleet: 'Nodes of the network', node: 'Node',
    scope: 'Scope', link: 'Link', lastContact: 'Last contact', queued: 'Queued', parked: 'Parked',
    oldest: 'Oldest unsent', via: 'Via', up: 'Up', down: 'Down', never: 'Never connected',
    linksDown: '{0} links down', queuedWhere: 'Where messages are queued', relays: 'Relays', nodeCount: 'Nodes', queuedTotal: '{0} messages queued', rejectedBy: 'Rejected messages by reason',
    amendments: 'Amendments waiting', accept: 'Accept', reject: 'Reject', revision: 'Revision',
    difference: 'Difference', becomes: 'Becomes current', approvals: 'Approval of the figures',
    approve: 'Approve this period', unapprove: 'Revoke approval', approvedBy: 'Approved by {0} at {1}',
    notApproved: "This unit's period is not approved", reasonAsk: 'Reason for rejecting:', noteAsk: 'Note (optional):',
    done: 'Done', forbidden: 'Not allowed', role_viewer: 'viewer', role_operator: 'operator',
    exporting: 'Exporting…', yes: 'yes', no: 'no', pendingAmend: '{0} amendments pending',
    onlyRoot: 'Only a province-wide token sees this', list: 'List', count: 'Count',
    tabRequests: 'Ad-hoc requests', requests: 'Ad-hoc requests', noRequests: 'This campaign has no ad-hoc requests',
    due: 'Due', lateFrom: 'late from {0}', overdue: 'Past due', open: 'Open', replies: 'Replies',
    notReplied: 'Units that have not replied', allReplied: 'Every unit has replied', askedInds: 'Indicators asked',
    createdAt: 'Created', viewProgress: 'View progress', refresh: 'Refresh', newRequest: 'New ad-hoc request',
    rqId: 'Request id', rqIdHint: '1–64 of A–Z a–z 0–9 . _ -, unlike every period and request of the campaign',
    rqUnits: 'Codes of the units asked', rqUnitsHint: 'Comma-separated; each unit reports itself for its whole subtree',
    rqFind: 'Find a unit to add', add: 'Add', rqInds: 'Indicators (counts, amounts)', rqDue: 'Due (through this day)',
    rqSubmit: 'Create the request', rqCreated: 'Request {0} created', adhoc: 'ad hoc', adhocPeriods: 'Ad-hoc requests'
  }
};
const DASH = '–';
const S = { token: null, lang: 'vi', who: null, camps: [], camp: null, period: null, unit: null,
            tab: 'summary', view: null, noms: null, adhoc: new Set() };
const $ = (id) => document.getElementById(id);

function t(k, ...a) {
  const s = (I18N[S.lang] && I18N[S.lang][k]) || I18N.vi[k] || k;
  return s.replace(/\{(\d)\}/g, (m, i) => a[i]);
}
/* el('td', {class: 'n'}, 'text', node, ...): a DOM node; text is never parsed as HTML. */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat(Infinity)) if (c != null) e.append(c.nodeType ? c : String(c));
  return e;
}
function fill(node, ...kids) { node.replaceChildren(); for (const c of kids.flat(Infinity)) if (c != null) node.append(c); return node; }

/* --- numbers and times ------------------------------------------------- */
const NF = {};
function nf(d) {
  const k = S.lang + d;
  return NF[k] || (NF[k] = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d }));
}
function num(v, d) { return v == null ? DASH : nf(d || 0).format(v); }
function signed(v, d) { return v == null ? DASH : (v > 0 ? '+' : '') + num(v, d); }
function pct(v) { return v == null ? DASH : num(v, 2) + ' %'; }
function isRate(code) { const i = indicator(code); return i && i.kind === 'rate'; }
function fmtVal(code, v) { return isRate(code) ? pct(v) : num(v, Number.isInteger(v) || v == null ? 0 : 2); }
function fmtChange(code, v) {
  if (v == null) return DASH;
  return isRate(code) ? signed(v, 2) + (S.lang === 'vi' ? ' điểm %' : ' pp') : signed(v, Number.isInteger(v) ? 0 : 2);
}
function offsetS() {
  if (S.view && S.view.utc_offset_s != null) return S.view.utc_offset_s;
  const m = /^([+-])(\d\d):(\d\d)$/.exec((S.camp && S.camp.utc_offset) || '+00:00');
  return m ? (m[1] === '-' ? -1 : 1) * (m[2] * 3600 + m[3] * 60) : 0;
}
function offText(o) {
  const a = Math.abs(o), p = (n) => String(n).padStart(2, '0');
  return 'UTC' + (o < 0 ? '−' : '+') + p(Math.floor(a / 3600)) + ':' + p(Math.floor(a % 3600 / 60));
}
/* Unix seconds as dd/mm/yyyy hh:mm in the campaign's utc_offset, the offset shown. */
function time(sec) {
  if (sec == null) return DASH;
  const o = offsetS(), d = new Date((sec + o) * 1000), p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCDate()) + '/' + p(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear() + ' ' +
         p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ' (' + offText(o) + ')';
}
function timeMs(ms) { return ms == null ? DASH : time(Math.floor(ms / 1000)); }

/* --- the API ----------------------------------------------------------- */
async function api(path, params, opts) {
  const u = new URL(path, location.origin);
  for (const k in params || {}) if (params[k] != null && params[k] !== '') u.searchParams.set(k, params[k]);
  const r = await fetch(u, Object.assign({ headers: { Authorization: 'Bearer ' + S.token } }, opts || {}));
  if (opts && opts.raw && r.ok) return r;
  const body = await r.json().catch(() => null);
  if (r.status === 401) {
    const m = t('badToken') + (body && body.message ? ': ' + body.message : '');
    showLogin(m); throw new Error(m);
  }
  if (!r.ok) {
    const e = new Error((body && body.message) || r.status + ' ' + r.statusText);
    e.status = r.status; e.error = body && body.error;
    throw e;
  }
  return body;
}
function post(path, body) {
  return api(path, null, { method: 'POST', body: JSON.stringify(body || {}),
    headers: { Authorization: 'Bearer ' + S.token, 'Content-Type': 'application/json' } });
}
function say(text) { $('msg').textContent = text || ''; }
function guard(p) { return p.catch((e) => say(e.message)); }

/* --- login ------------------------------------------------------------- */
function showLogin(err) {
  sessionStorage.removeItem('lnob.token'); S.token = null;
  $('app').hidden = true; $('logout').hidden = true; $('login').hidden = false;
  $('login-err').textContent = err || ''; $('token').focus();
}
async function start() {
  S.who = await api('/api/whoami');
  $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false;
  S.camps = await api('/api/campaigns');
  const st = readHash();
  S.camp = S.camps.find((c) => c.id === st.campaign) || S.camps[0] || null;
  if (S.camp) await loadAdhoc();
  S.period = st.period || (S.camp ? defaultPeriod(S.camp) : null);
  S.unit = st.unit || S.who.scope.code;
  if (st.tab) S.tab = st.tab;
  if (!st.period && S.camp) S.period = await latestWithData(S.camp, S.unit) || S.period;
  renderWho(); fillPickers(); await initTree(); selectTab(S.tab, false); await load();
}
function defaultPeriod(c) {
  const y = String(new Date().getFullYear() - 1), p = (c.periods || []).filter((x) => !isAdhoc(x));
  return p.includes(y) ? y : p.filter((x) => x <= y).pop() || p[0];
}
/* /api/series of a unit (kept: a period does not change it), null if it fails. */
const seriesKept = {};
async function series(campaign, unit) {
  const k = campaign + ' ' + unit;
  if (!(k in seriesKept)) seriesKept[k] = await api('/api/series', { campaign, unit }).catch(() => null);
  return seriesKept[k];
}
/* The latest period of c in which unit has any figure (the series), else null. */
async function latestWithData(c, unit) {
  const s = await series(c.id, unit);
  const has = (p) => { const d = p.values || {};
    return (Array.isArray(d) ? d : Object.values(d)).some((x) => x != null && (typeof x === 'number' || x.value != null)); };
  const ps = ((s && s.periods) || []).filter((p) => !isAdhoc(p.period) && has(p));
  return ps.length ? ps[ps.length - 1].period : null;
}
function renderWho() {
  const w = S.who;
  fill($('who'), w ? w.scope.name + ' · ' + t('role_' + w.role) : '');
}

/* --- the URL fragment: #unit=..&campaign=..&period=..&tab=.. ------------ */
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1)), o = {};
  for (const [k, v] of h) o[k] = v;
  return o;
}
function writeHash() {
  const h = new URLSearchParams();
  if (S.unit) h.set('unit', S.unit);
  if (S.camp) h.set('campaign', S.camp.id);
  if (S.period) h.set('period', S.period);
  h.set('tab', S.tab);
  history.replaceState(null, '', location.pathname + location.search + '#' + h);
}

/* --- campaign and period pickers ---------------------------------------- */
/* The ad-hoc requests' ids (those of the token's scope) come after the
 * file's periods, in a group of their own. */
function fillPickers() {
  fill($('campaign'), S.camps.map((c) => el('option', { value: c.id, selected: S.camp && c.id === S.camp.id }, c.name)));
  const ps = S.camp ? S.camp.periods : [], ad = ps.filter(isAdhoc);
  const opt = (p) => el('option', { value: p, selected: p === S.period }, p);
  fill($('period'), ps.filter((p) => !isAdhoc(p)).map(opt),
       ad.length ? el('optgroup', { label: t('adhocPeriods') }, ad.map(opt)) : null);
}
function indicator(code) {
  const v = S.view && (S.view.indicators || []).find((i) => i.code === code);
  if (v) return { code, label: v.label, kind: v.kind };
  const c = S.camp && (S.camp.indicators || []).find((i) => (i.id || i.code) === code);
  return c ? { code, label: c.name || c.label, kind: c.kind } : { code, label: code, kind: '' };
}
function lv(level) { const k = 'lv_' + level; return I18N.vi[k] ? t(k) : level; }
function indLabel(code) { const i = indicator(code); return S.lang === 'vi' || i.label === code ? i.label : i.label + ' (' + code + ')'; }

/* --- the tree (ARIA tree, roving tabindex, children loaded on demand) ---- */
async function initTree() {
  const d = await api('/api/units/' + encodeURIComponent(S.who.scope.code));
  const li = treeItem(d.unit, 1);
  fill($('tree'), li);
  li.tabIndex = 0;
  await expand(li, d.children);
}
function treeItem(u, level) {
  const li = el('li', { role: 'treeitem', 'aria-level': level, 'aria-selected': 'false', tabindex: '-1',
                        'data-code': u.code, id: 'ti-' + u.code },
                el('span', { class: 'tw', 'aria-hidden': 'true' }),
                el('span', { class: 'nm' }, u.name), el('span', { class: 'cd' }, ' ' + u.code));
  li._u = u;
  if (u.level !== 'village') li.setAttribute('aria-expanded', 'false');
  return li;
}
async function expand(li, kids) {
  if (!li.hasAttribute('aria-expanded')) return;
  let g = li.querySelector(':scope > ul');
  if (!g) {
    kids = kids || (await api('/api/units/' + encodeURIComponent(li.dataset.code))).children;
    if (!kids.length) { li.removeAttribute('aria-expanded'); return; }
    const lvl = +li.getAttribute('aria-level') + 1;
    g = el('ul', { role: 'group' }, kids.map((k) => treeItem(k, lvl)));
    li.append(g);
  }
  li.setAttribute('aria-expanded', 'true');
}
function collapse(li) { if (li.getAttribute('aria-expanded') === 'true') li.setAttribute('aria-expanded', 'false'); }
function visibleItems() {
  return [...$('tree').querySelectorAll('[role=treeitem]')].filter((li) => {
    for (let p = li.parentElement.closest('[role=treeitem]'); p; p = p.parentElement.closest('[role=treeitem]'))
      if (p.getAttribute('aria-expanded') !== 'true') return false;
    return true;
  });
}
function focusItem(li) {
  if (!li) return;
  $('tree').querySelectorAll('[tabindex="0"]').forEach((x) => { x.tabIndex = -1; });
  li.tabIndex = 0; li.focus();
}
function treeClick(ev) {
  const li = ev.target.closest('[role=treeitem]');
  if (!li) return;
  ev.stopPropagation();
  if (ev.target.classList.contains('tw')) {
    guard(li.getAttribute('aria-expanded') === 'true' ? Promise.resolve(collapse(li)) : expand(li));
  } else { focusItem(li); gotoUnit(li.dataset.code); }
}
function treeKey(ev) {
  const li = ev.target.closest('[role=treeitem]');
  if (!li) return;
  const vis = visibleItems(), i = vis.indexOf(li), k = ev.key;
  const moves = {
    ArrowDown: () => focusItem(vis[i + 1]), ArrowUp: () => focusItem(vis[i - 1]),
    Home: () => focusItem(vis[0]), End: () => focusItem(vis[vis.length - 1]),
    ArrowRight: () => (li.getAttribute('aria-expanded') === 'true'
      ? focusItem(li.querySelector('[role=treeitem]')) : guard(expand(li))),
    ArrowLeft: () => (li.getAttribute('aria-expanded') === 'true' ? collapse(li)
      : focusItem(li.parentElement.closest('[role=treeitem]'))),
    Enter: () => gotoUnit(li.dataset.code), ' ': () => gotoUnit(li.dataset.code)
  };
  if (moves[k]) { ev.preventDefault(); moves[k](); }
}
/* Opens the tree down to code (its ancestors from /api/units/{code}) and marks it. */
async function revealInTree(code) {
  $('tree').querySelectorAll('[aria-selected=true]').forEach((x) => x.setAttribute('aria-selected', 'false'));
  let li = $('ti-' + code);
  if (!li) {
    const d = await api('/api/units/' + encodeURIComponent(code));
    for (const a of d.ancestors) { const p = $('ti-' + a.code); if (p) await expand(p); }
    li = $('ti-' + code);
  }
  if (!li) return;
  for (let p = li.parentElement.closest('[role=treeitem]'); p; p = p.parentElement.closest('[role=treeitem]'))
    p.setAttribute('aria-expanded', 'true');
  li.setAttribute('aria-selected', 'true');
  $('tree').querySelectorAll('[tabindex="0"]').forEach((x) => { x.tabIndex = -1; });
  li.tabIndex = 0;
  li.scrollIntoView({ block: 'nearest' });
}

/* --- search ------------------------------------------------------------- */
let searchTimer = null, searchSeq = 0;
function searchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 200);
}
async function runSearch() {
  const q = $('q').value.trim(), my = ++searchSeq;
  if (!q) { fill($('hits')); return; }
  const d = await api('/api/units', { q, limit: 20 });
  if (my !== searchSeq) return;
  fill($('hits'), d.units.length ? d.units.map((u) => el('li', {},
    el('a', { href: '#', 'data-code': u.code, onclick: (e) => { e.preventDefault(); fill($('hits')); $('q').value = ''; gotoUnit(u.code); } },
       u.name, el('span', { class: 'cd' }, ' ' + u.code),
       u.parent_name ? el('span', { class: 'sub' }, ' · ' + u.parent_name) : null)))
    : el('li', { class: 'sub' }, t('noHits')));
}

/* --- loading a unit ----------------------------------------------------- */
function gotoUnit(code) { S.unit = code; guard(load()); }
/* Loads the current tab; main is aria-busy meanwhile (a later load wins). */
let loadSeq = 0;
async function load() {
  const my = ++loadSeq;
  writeHash(); say('');
  $('main').setAttribute('aria-busy', 'true');
  fill($('unit-h'), t('loading'));
  try {
    await Promise.all([revealInTree(S.unit).catch(() => null),
      S.tab === 'summary' ? loadSummary() : S.tab === 'noms' ? loadNoms() : S.tab === 'fleet' ? loadFleet()
        : S.tab === 'requests' ? loadRequests() : loadAmend()]);
  } finally {
    if (my === loadSeq) $('main').setAttribute('aria-busy', 'false');
  }
}
async function loadSummary() {
  const p = { campaign: S.camp.id, period: S.period, unit: S.unit };
  const [v, s] = await Promise.all([api('/api/rollup', p), series(S.camp.id, S.unit)]);
  S.view = v; S.series = s;
  renderSummary(v);
  if (!performance.getEntriesByName('lnob-summary').length) performance.mark('lnob-summary');
}

/* --- the summary: targets, values, completeness, children ---------------- */
function renderSummary(v) {
  const u = v.unit;
  renderHead(u.name + ' (' + u.code + ')', u);
  fill($('unit-sub'), el('span', { class: 'ctx' }, (v.campaign_name || v.campaign) + ' · ' + t('period') + ' ' + v.period +
         (v.period_kind === 'adhoc' ? ' (' + t('adhoc') + ')' : '')),
       el('br'), t('reported', num(u.units_expected_reported), num(u.units_expected)),
       ' · ', u.complete ? t('complete') : t('incomplete'),
       u.report ? [' · ', t('status'), ': ', t('st_' + u.report.status)] : null);
  renderTargets(u.targets || []);
  renderValues(u);
  renderCompleteness(v.completeness);
  renderChildren(v.children || []);
  fill($('generated'), t('generated', time(v.generated_at)));
}
function renderHead(title, u) {
  fill($('unit-h'), title);
  document.title = title + ' · lnob';
  crumbs(u.code);
}
function crumbs(code) {
  guard(api('/api/units/' + encodeURIComponent(code)).then((d) => fill($('crumbs'),
    d.ancestors.concat([d.unit]).map((a) => el('li', {}, a.code === code ? el('span', { 'aria-current': 'page' }, a.name)
      : el('a', { href: '#', onclick: (e) => { e.preventDefault(); gotoUnit(a.code); } }, a.name))))));
}
function verdictBadge(tg) {
  const on = tg.basis === 'comparable' && tg.coverage && tg.verdict !== 'NO_DATA';
  return el('span', { class: 'verdict v-' + tg.verdict, 'data-verdict': tg.verdict },
            t(tg.verdict), on ? el('span', { class: 'cov', 'data-reported': tg.coverage.reported,
              'data-expected': tg.coverage.expected }, ' ' + t('onUnits', num(tg.coverage.reported), num(tg.coverage.expected))) : null);
}
function bar(p, label) {
  const w = p == null ? 0 : Math.max(0, Math.min(100, p));
  return el('div', { class: 'bar-o', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
                     'aria-valuenow': p == null ? null : w, 'aria-label': label },
            el('div', { class: 'bar-i', style: 'width:' + w + '%' }));
}
function renderTargets(ts) {
  if (!ts.length) { fill($('targets'), el('p', { class: 'sub' }, t('noTargets'))); return; }
  fill($('targets'), ts.map((tg) => {
    const ind = tg.indicator || (tg.decided_by && tg.decided_by.indicator);
    const label = tg.goal + (ind ? ' · ' + indLabel(ind) : '');
    return el('article', { class: 'target', 'data-target': tg.id },
      el('h4', {}, label, ' ', verdictBadge(tg)),
      el('p', { class: 'sub' }, tg.id, tg.source ? ' · ' + tg.source : '',
         tg.decided_by ? ' · ' + t('decidedBy') + ' ' + tg.decided_by.id : ''),
      bar(tg.progress_pct, t('progress') + ' ' + label),
      el('dl', { class: 'kv' },
        el('dt', {}, t('progress')), el('dd', { 'data-k': 'progress_pct' }, pct(tg.progress_pct)),
        el('dt', {}, t('achievement')), el('dd', { 'data-k': 'achievement_pct' }, pct(tg.achievement_pct)),
        el('dt', {}, t('required')), el('dd', {}, ind ? fmtChange(ind, tg.required_change) : num(tg.required_change, 2)),
        el('dt', {}, t('achieved')), el('dd', {}, ind ? fmtChange(ind, tg.change_baseline) : num(tg.change_baseline, 2))),
      tg.alternatives ? el('ul', { class: 'alts' }, tg.alternatives.map((a) =>
        el('li', {}, a.id, ' ', verdictBadge(a), ' ', t('achievement'), ' ', pct(a.achievement_pct)))) : null);
  }));
}
function seriesOf(code) {
  if (!S.series || !S.series.periods) return [];
  return S.series.periods.filter((p) => !isAdhoc(p.period)).map((p) => {
    let d = p.values || {};
    if (Array.isArray(d)) d = d.find((x) => (x.code || x.indicator || x.id) === code);
    else d = d[code];
    const v = d == null ? null : typeof d === 'number' ? d : d.value;
    return { period: p.period, value: v == null ? null : v };
  });
}
/* A small inline SVG line over the campaign's periods; absent values leave gaps. */
function chart(code) {
  const pts = seriesOf(code), vals = pts.map((p) => p.value).filter((x) => x != null);
  if (!vals.length) return DASH;
  const W = 120, H = 32, lo = Math.min(...vals), hi = Math.max(...vals), n = pts.length;
  const x = (i) => n < 2 ? W / 2 : 4 + i * (W - 8) / (n - 1), y = (v) => hi === lo ? H / 2 : H - 4 - (v - lo) * (H - 8) / (hi - lo);
  const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H); svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', indLabel(code) + ': ' + pts.map((p) => p.period + ' ' + fmtVal(code, p.value)).join(', '));
  let d = '', pen = false;
  pts.forEach((p, i) => {
    if (p.value == null) { pen = false; return; }
    d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.value).toFixed(1); pen = true;
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', x(i).toFixed(1)); c.setAttribute('cy', y(p.value).toFixed(1));
    c.setAttribute('r', p.period === S.period ? 3 : 1.8);
    if (p.period === S.period) c.setAttribute('class', 'cur');
    svg.append(c);
  });
  const path = document.createElementNS(ns, 'path'); path.setAttribute('d', d);
  svg.prepend(path);
  return svg;
}
function renderValues(u) {
  const vals = u.values || {}, codes = Object.keys(vals);
  const order = (S.view.indicators || []).map((i) => i.code).filter((c) => c in vals);
  const rows = (order.length ? order : codes).map((c) => {
    const x = vals[c], derived = ['sum', 'rate'].includes(indicator(c).kind);
    const partial = x.basis === 'comparable' && x.coverage;
    return el('tr', { 'data-ind': c },
      el('th', { scope: 'row' }, indLabel(c)),
      el('td', { class: 'n', 'data-k': 'value', 'data-value': x.value == null ? 'null' : x.value }, fmtVal(c, x.value)),
      el('td', { class: 'n' }, fmtVal(c, x.baseline)),
      el('td', { class: 'n' }, fmtChange(c, x.change_baseline)),
      el('td', { class: 'n' }, fmtVal(c, x.previous)),
      el('td', { class: 'n' }, fmtChange(c, x.change_previous)),
      el('td', { class: 'n' }, partial ? '[' + num(x.coverage.reported) + '/' + num(x.coverage.expected) + ']' : ''),
      el('td', { class: 'chart' }, derived ? chart(c) : ''));
  });
  fill($('values'), el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, ['indicator', 'value', 'baseline', 'vsBaseline', 'previous', 'vsPrevious', 'coverage', 'trend']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows)));
}
function unitLink(x) {
  return el('a', { href: '#', 'data-code': x.code, onclick: (e) => { e.preventDefault(); gotoUnit(x.code); } }, x.name);
}
function unitList(list, cls, withTimes, title) {
  if (!list || !list.length) return el('p', { class: 'sub' }, t('none'));
  return el('details', { class: 'ulist', open: list.length <= 12 }, el('summary', {}, title + ' (' + num(list.length) + ')'),
    el('ul', { class: 'units ' + cls }, list.map((x) => el('li', { 'data-code': x.code },
    unitLink(x), el('span', { class: 'cd' }, ' ' + x.code),
    x.parent_name ? el('span', { class: 'sub' }, ' · ' + t('parent') + ' ' + x.parent_name) : null,
    withTimes ? el('span', { class: 'sub' }, ' · ' + t('completed') + ' ' + time(x.completed_at) +
                   ' · ' + t('received') + ' ' + time(x.received_at)) : null))));
}
function complGroup(g, title) {
  return el('section', { class: 'cgroup', 'data-level': g.level || 'children' },
    el('h4', {}, title, g.late_from != null ? el('span', { class: 'sub' }, ' · ' + t('deadline') + ' ' + time(g.late_from)) : null),
    bar(g.expected ? 100 * g.on_time / g.expected : null, title),
    el('dl', { class: 'kv cnt' }, [['expected', g.expected], ['onTime', g.on_time], ['late', g.late],
      ['missing', g.missing], ['pending', g.pending], ['conflicts', g.conflicts]].map(([k, n]) =>
      [el('dt', {}, t(k)), el('dd', { 'data-k': k }, num(n))])),
    g.late ? unitList(g.late_units, 'late', true, t('lateUnits')) : null,
    g.missing ? unitList(g.missing_units, 'missing', false, t('missingUnits')) : null);
}
function renderCompleteness(c) {
  if (!c) { fill($('compl'), el('p', { class: 'sub' }, t('none'))); return; }
  const levels = c.levels || [];
  const same = levels[0] && c.children && levels[0].expected === c.children.expected && levels[0].level ===
    ((S.view.children || [])[0] || {}).level;
  fill($('compl'), levels.map((g) => complGroup(g, t('levelOf', lv(g.level)))),
       c.children && !same && c.children.expected ? complGroup(c.children, t('directChildren')) : null);
}
function renderChildren(kids) {
  if (!kids.length) { fill($('children'), el('p', { class: 'sub' }, t('none'))); return; }
  fill($('children'), el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, [t('unit'), t('reportedCol'), t('status'), t('targets')].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, kids.map((k) => el('tr', { 'data-code': k.code },
      el('th', { scope: 'row' }, unitLink(k), el('span', { class: 'cd' }, ' ' + k.code)),
      el('td', { class: 'n' }, num(k.units_expected_reported != null ? k.units_expected_reported : k.units_reported) +
         (k.units_expected != null ? ' / ' + num(k.units_expected) : '')),
      el('td', {}, k.report ? el('span', { class: 'st st-' + k.report.status }, t('st_' + k.report.status)) : DASH),
      el('td', {}, (k.targets || []).map((tg) => verdictBadge(tg))))))));
}

/* --- nominations ---------------------------------------------------------- */
async function loadNoms() {
  const d = await api('/api/nominations', { campaign: S.camp.id, unit: S.unit });
  S.noms = d;
  renderHead(d.unit.name + ' (' + d.unit.code + ')', d.unit);
  fill($('unit-sub'));
  const by = (dim, key) => el('section', { class: 'ncount', 'data-dim': dim },
    el('h4', {}, t(key)),
    el('table', { class: 'tbl' }, el('tbody', {}, Object.keys(d.total[dim]).map((f) => {
      const c = d.total[dim][f];
      return el('tr', { 'data-key': f }, el('th', { scope: 'row' }, t(dim === 'by_stage' ? 'sg_' + f : f)),
        el('td', { class: 'n' }, c.count ? el('button', { type: 'button', class: 'link',
          onclick: () => nomList(t(key) + ': ' + t(dim === 'by_stage' ? 'sg_' + f : f), c.nominations) }, num(c.count)) : num(c.count)));
    }))));
  fill($('noms'), el('h3', {}, t('noms'), ' · ', t('total'), ' ', num(d.total.count)),
       el('div', { class: 'grid3' }, by('by_form', 'byForm'), by('by_stage', 'byStage'), by('by_kind', 'byKind')),
       el('div', { id: 'nom-list' }));
  nomList(t('list'), d.nominations.map((n) => n.key));
}
function nomList(title, keys) {
  const rows = S.noms.nominations.filter((n) => keys.includes(n.key));
  fill($('nom-list'), el('h4', {}, title),
    el('div', { class: 'scroll' }, el('table', { class: 'tbl' },
      el('thead', {}, el('tr', {}, ['key', 'nominee', 'unit', 'form', 'stage', 'holder', 'waiting', 'eligibility']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, rows.map((n) => el('tr', { 'data-key': n.key },
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => guard(dossier(n.key)) }, n.key)),
        el('td', {}, n.nominee_name, el('span', { class: 'sub' }, ' · ' + t(n.nominee_kind))),
        el('td', {}, unitLink({ code: n.unit, name: n.unit_name })),
        el('td', {}, t(n.form)), el('td', {}, t('sg_' + n.stage)),
        el('td', {}, n.holder_name || n.holder || DASH),
        el('td', { class: 'n' }, num(n.waiting_days)),
        el('td', { title: n.eligibility && n.eligibility.reason }, n.eligibility && n.eligibility.verdict
          ? t(n.eligibility.verdict) : DASH)))))));
}
function stageRows(hist) {
  return el('table', { class: 'tbl' }, el('thead', {}, el('tr', {}, ['stage', 'at', 'received', 'by', 'reason', 'decision']
    .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, hist.map((h) => el('tr', {}, el('td', {}, t('sg_' + h.stage)), el('td', {}, time(h.at)),
      el('td', {}, time(h.received_at)), el('td', {}, h.signer + ' (' + h.scope + ')'),
      el('td', {}, h.reason || h.note || DASH),
      el('td', {}, h.decision_number ? h.decision_number + ' · ' + (h.decision_date || '') +
         (h.granted_form ? ' · ' + t(h.granted_form) : '') : DASH)))));
}
async function dossier(key) {
  const n = await api('/api/nominations/' + key.split('/').map(encodeURIComponent).join('/'));
  const part = (x) => [
    el('p', {}, x.nominee_name, ' · ', t(x.form), ' · ', t('sg_' + x.stage), ' · ', x.unit_name || x.unit),
    x.summary ? el('p', { class: 'sub' }, x.summary) : null,
    el('h4', {}, t('dossier')),
    el('ul', {}, (x.dossier || []).map((d) => el('li', {}, d.title, d.vote ? ' · ' + t('vote') + ': ' + d.vote : '',
      el('span', { class: 'sub' }, ' · ' + num(d.attached) + ' / ' + num(d.size) + ' B')))),
    el('h4', {}, t('history')), stageRows(x.history || [])];
  fill($('dlg-body'), el('h3', { id: 'dlg-h' }, n.key), part(n),
       (n.earlier || []).length ? [el('h4', {}, t('earlier')), n.earlier.map((e) => el('section', { class: 'earlier' },
         el('h5', {}, e.key), part(e)))] : null);
  $('dlg').showModal();
}

/* --- the fleet (fleet_view: nodes, summary, units, relays, rejected) ------ */
function fleetNodes(nodes) {
  return el('div', { class: 'scroll' }, el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, ['node', 'scope', 'link', 'lastContact', 'queued', 'parked', 'oldest', 'via']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, nodes.map((n) => {
      const sc = n.scope && typeof n.scope === 'object' ? n.scope : { code: n.scope, name: n.scope_name };
      return el('tr', { 'data-node': n.id, class: 'link-' + n.link },
        el('th', { scope: 'row' }, n.id), el('td', {}, sc.name ? unitLink(sc) : sc.code),
        el('td', {}, el('span', { class: 'st st-' + n.link }, t(n.link))),
        el('td', {}, timeMs(n.last_contact_ms != null ? n.last_contact_ms : n.last_seen_ms)),
        el('td', { class: 'n' }, num(n.queued)), el('td', { class: 'n' }, num(n.parked)),
        el('td', {}, timeMs(n.oldest_unsent_ms)), el('td', {}, n.via || DASH));
    }))));
}
function fleetWhere(d) {
  const units = (d.units || []).filter((u) => u.nodes), relays = d.relays || [];
  return [units.length ? [el('h4', {}, t('queuedWhere')), el('div', { class: 'scroll' }, el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, ['unit', 'nodeCount', 'down', 'queued'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, units.map((u) => el('tr', { 'data-code': u.code }, el('th', { scope: 'row' }, unitLink(u)),
      el('td', { class: 'n' }, num(u.nodes)), el('td', { class: 'n' }, num(u.down)), el('td', { class: 'n' }, num(u.queued)))))))] : null,
  relays.length ? [el('h4', {}, t('relays')), el('div', { class: 'scroll' }, el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, ['node', 'link', 'nodeCount', 'down', 'queued'].map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, relays.map((r) => el('tr', { 'data-node': r.id }, el('th', { scope: 'row' }, r.id),
      el('td', {}, r.link ? el('span', { class: 'st st-' + r.link }, t(r.link)) : DASH),
      el('td', { class: 'n' }, num((r.nodes || []).length)), el('td', {}, (r.down || []).join(', ') || DASH),
      el('td', { class: 'n' }, num(r.queued)))))))] : null];
}
async function loadFleet() {
  let d;
  try { d = await api('/api/fleet'); } catch (e) { fill($('fleet'), el('p', { class: 'err' }, e.message)); fill($('unit-h'), t('fleet')); return; }
  fill($('unit-h'), t('fleet'), d.unit ? ' · ' + d.unit.name : '');
  const nodes = d.nodes || [], sm = d.summary || {};
  const down = sm.down != null ? sm.down : nodes.filter((n) => n.link === 'down').length;
  const q = sm.queued != null ? sm.queued : nodes.reduce((s, n) => s + (n.queued || 0), 0);
  const rej = d.rejected || {}, bad = Object.keys(rej).filter((k) => rej[k]);
  fill($('unit-sub'), t('linksDown', num(down)), ' · ', t('queuedTotal', num(q)));
  fill($('fleet'), fleetNodes(nodes), fleetWhere(d), el('h4', {}, t('rejectedBy')),
    bad.length ? el('dl', { class: 'kv' }, bad.map((k) => [el('dt', {}, k), el('dd', {}, num(rej[k]))]))
      : el('p', { class: 'sub' }, t('none')));
}

/* --- amendments and approval ------------------------------------------- */
async function loadAmend() {
  fill($('unit-h'), t('amendments')); fill($('unit-sub')); crumbs(S.unit);
  const op = S.who.role === 'operator';
  const [am, ap] = await Promise.all([api('/api/amendments', { unit: S.unit }),
    api('/api/approvals', { campaign: S.camp.id, period: S.period, unit: S.unit }).catch(() => ({ approvals: [] }))]);
  const mine = (ap.approvals || []).find((a) => a.unit === S.unit && a.campaign === S.camp.id && a.period === S.period);
  const act = (path, body) => guard(post(path, body).then(() => { say(t('done')); return loadAmend(); }));
  const rows = (am.amendments || []).map((a) => el('tr', { 'data-key': a.key },
    el('th', { scope: 'row' }, a.key), el('td', {}, a.unit), el('td', {}, a.campaign + ' ' + a.period),
    el('td', { class: 'n' }, num(a.revision)), el('td', {}, time(a.received_at)),
    el('td', {}, Object.keys(a.difference || {}).filter((k) => a.difference[k]).map((k) =>
      el('div', {}, indLabel(k) + ': ' + signed(a.difference[k])))),
    el('td', {}, a.becomes_current == null ? DASH : t(a.becomes_current ? 'yes' : 'no')),
    op ? el('td', { class: 'acts' },
      el('button', { type: 'button', onclick: () => { const n = prompt(t('noteAsk'), ''); if (n !== null) act('/api/amendments/' + a.key + '/accept', { note: n }); } }, t('accept')),
      el('button', { type: 'button', onclick: () => { const r = prompt(t('reasonAsk'), ''); if (r) act('/api/amendments/' + a.key + '/reject', { reason: r }); } }, t('reject'))) : null));
  fill($('amend'),
    el('section', { 'aria-labelledby': 'ap-h' }, el('h3', { id: 'ap-h' }, t('approvals'), ' · ', S.unit, ' · ', S.period),
      el('p', {}, mine ? t('approvedBy', mine.by, time(mine.approved_at)) : t('notApproved'),
         mine && mine.pending_amendments ? ' · ' + t('pendingAmend', num(mine.pending_amendments)) : ''),
      op ? el('button', { type: 'button', id: mine ? 'unapprove' : 'approve', onclick: () => {
        const body = { campaign: S.camp.id, period: S.period, unit: S.unit };
        if (mine) act('/api/unapprove', body);
        else { const n = prompt(t('noteAsk'), ''); if (n !== null) act('/api/approve', Object.assign(body, { note: n })); }
      } }, t(mine ? 'unapprove' : 'approve')) : null),
    el('h3', {}, t('amendments'), ' · ', num(rows.length)),
    rows.length ? el('div', { class: 'scroll' }, el('table', { class: 'tbl' },
      el('thead', {}, el('tr', {}, ['key', 'unit', 'period', 'revision', 'received', 'difference', 'becomes']
        .map((k) => el('th', { scope: 'col' }, t(k))), op ? el('th', { scope: 'col' }) : null)),
      el('tbody', {}, rows))) : el('p', { class: 'sub' }, t('none')));
}

/* --- ad-hoc requests (GET /api/requests; POST /api/requests, operators) ---- */
function isAdhoc(p) { return S.adhoc.has(p); }
async function fetchRequests() {
  const d = await api('/api/requests', { campaign: S.camp.id });
  S.adhoc = new Set(d.requests.map((q) => q.id));
  return d.requests;
}
/* The ids of the requests, for the period picker; none when it fails. */
function loadAdhoc() { return fetchRequests().catch(() => { S.adhoc = new Set(); return []; }); }
/* /api/campaigns again: a new request's id among the periods. */
async function refreshCampaigns() {
  S.camps = await api('/api/campaigns');
  S.camp = S.camps.find((c) => c.id === S.camp.id) || S.camps[0];
  await loadAdhoc();
  fillPickers();
}
/* A unit's name (kept), null when it cannot be read: codes alone then. */
const unitNames = {};
function unitName(code) {
  if (!(code in unitNames))
    unitNames[code] = api('/api/units/' + encodeURIComponent(code)).then((d) => d.unit.name).catch(() => null);
  return unitNames[code];
}
const NAMES_MAX = 60;        /* names looked up per request; the rest by code */
function dmy(day) { const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day || ''); return m ? m[3] + '/' + m[2] + '/' + m[1] : day; }
async function loadRequests() {
  fill($('unit-h'), t('requests')); fill($('unit-sub'), S.camp.name); crumbs(S.unit);
  requestForm();
  const list = await fetchRequests(), names = {};
  await Promise.all(list.flatMap((q) => (q.missing_units || []).slice(0, NAMES_MAX))
    .map((c) => unitName(c).then((n) => { names[c] = n; })));
  fillPickers();
  renderRequests(list, names);
}
function renderRequests(list, names) {
  const now = Date.now() / 1000;
  fill($('requests'), el('div', { class: 'rq-head' },
    el('h3', { id: 'rq-h' }, t('requests'), ' · ', num(list.length)),
    el('button', { type: 'button', id: 'rq-refresh', onclick: () => guard(load()) }, t('refresh'))),
  list.length ? list.map((q) => requestCard(q, names, now)) : el('p', { class: 'sub', id: 'rq-empty' }, t('noRequests')));
}
/* A request: due (past due when late_from is behind now), replies, the units without one. */
function requestCard(q, names, now) {
  const past = q.late_from != null && now >= q.late_from, miss = q.missing_units || [];
  const replies = num(q.reported) + ' / ' + num(q.expected);
  return el('article', { class: 'target request', 'data-id': q.id, 'data-past-due': past ? 'true' : 'false',
                         'aria-labelledby': 'rq-' + q.id },
    el('h4', { id: 'rq-' + q.id }, q.id, ' ', el('span', { class: 'st ' + (past ? 'st-late' : 'st-on_time'),
      'data-k': 'state' }, t(past ? 'overdue' : 'open'))),
    q.note ? el('p', { class: 'rq-note', 'data-k': 'note' }, q.note) : null,
    el('dl', { class: 'kv' },
      el('dt', {}, t('due')), el('dd', { 'data-k': 'due', 'data-due': q.due, 'data-late-from': q.late_from },
        dmy(q.due), el('span', { class: 'sub' }, ' · ' + t('lateFrom', time(q.late_from)))),
      el('dt', {}, t('askedInds')), el('dd', { 'data-k': 'indicators' }, (q.indicators || []).map(indLabel).join(', ')),
      el('dt', {}, t('replies')), el('dd', { 'data-k': 'replies', 'data-reported': q.reported,
        'data-expected': q.expected }, replies),
      el('dt', {}, t('createdAt')), el('dd', {}, time(q.created_at))),
    bar(q.expected ? 100 * q.reported / q.expected : null, t('replies') + ' ' + q.id + ': ' + replies),
    miss.length ? el('details', { class: 'ulist', open: miss.length <= 12 },
      el('summary', {}, t('notReplied') + ' (' + num(miss.length) + ')'),
      el('ul', { class: 'units missing' }, miss.map((c) => el('li', { 'data-code': c, class: past ? 'late' : null },
        names[c] ? [names[c], el('span', { class: 'cd' }, ' ' + c)] : c,
        past ? [' ', el('span', { class: 'st st-late', 'data-k': 'late' }, t('late'))] : null))))
      : el('p', { class: 'sub' }, t('allReplied')),
    el('p', {}, el('button', { type: 'button', class: 'rq-view', onclick: () => guard(viewRequest(q)) },
      t('viewProgress'))));
}
/* The Summary of the token's unit on the request's period. */
async function viewRequest(q) {
  if (!S.camp.periods.includes(q.id)) await refreshCampaigns();
  S.period = q.id; S.unit = S.who.scope.code; fillPickers();
  selectTab('summary', false);
  $('tab-summary').focus();
  await load();
}
/* The operator's form, built once per campaign and language (what is typed stays across reloads). */
let formFor = null, rqFindTimer = null, rqFindSeq = 0;
function fld(id, label, input, hint) {
  if (hint) input.setAttribute('aria-describedby', id + '-hint');
  return el('div', { class: 'fld' }, el('label', { for: id }, label), input,
            hint ? el('p', { class: 'hint', id: id + '-hint' }, hint) : null);
}
function requestForm() {
  const box = $('rq-form-box'), key = S.camp.id + ' ' + S.lang;
  if (!S.who || S.who.role !== 'operator') { fill(box); formFor = null; return; }
  if (formFor === key && box.firstChild) return;
  formFor = key;
  const inds = (S.camp.indicators || []).filter((i) => i.kind === 'count' || i.kind === 'amount');
  fill(box, el('form', { id: 'rq-form', class: 'rq-form', 'aria-labelledby': 'rq-new-h', onsubmit: submitRequest },
    el('h3', { id: 'rq-new-h' }, t('newRequest')),
    fld('rq-id', t('rqId'), el('input', { id: 'rq-id', name: 'id', required: true, maxlength: 64,
      autocomplete: 'off', spellcheck: 'false' }), t('rqIdHint')),
    fld('rq-units', t('rqUnits'), el('input', { id: 'rq-units', name: 'units', required: true, autocomplete: 'off',
      spellcheck: 'false' }), t('rqUnitsHint')),
    el('div', { class: 'fld', role: 'search' }, el('label', { for: 'rq-find' }, t('rqFind')),
      el('input', { id: 'rq-find', type: 'search', autocomplete: 'off', 'aria-controls': 'rq-hits',
        oninput: () => { clearTimeout(rqFindTimer); rqFindTimer = setTimeout(() => guard(rqFind()), 200); } }),
      el('ul', { id: 'rq-hits', class: 'hits', 'aria-live': 'polite' })),
    el('fieldset', {}, el('legend', {}, t('rqInds')), el('div', { class: 'checks' }, inds.map((i) =>
      el('label', {}, el('input', { type: 'checkbox', name: 'indicators', value: i.id }), ' ', indLabel(i.id))))),
    fld('rq-due', t('rqDue'), el('input', { id: 'rq-due', name: 'due', type: 'date', required: true })),
    fld('rq-note', t('note'), el('textarea', { id: 'rq-note', name: 'note', rows: 2, maxlength: 1024 })),
    el('button', { type: 'submit', id: 'rq-submit' }, t('rqSubmit')),
    el('p', { id: 'rq-err', class: 'err', role: 'alert' }),
    el('p', { id: 'rq-ok', class: 'ok', role: 'status' })));
}
async function rqFind() {
  const q = $('rq-find').value.trim(), my = ++rqFindSeq;
  if (!q) { fill($('rq-hits')); return; }
  const d = await api('/api/units', { q, limit: 8 });
  if (my !== rqFindSeq) return;
  fill($('rq-hits'), d.units.length ? d.units.map((u) => el('li', {},
    el('button', { type: 'button', class: 'link', 'data-code': u.code, onclick: () => {
      const have = $('rq-units').value.split(/[\s,]+/).filter(Boolean);
      if (!have.includes(u.code)) have.push(u.code);
      $('rq-units').value = have.join(', '); fill($('rq-hits')); $('rq-find').value = ''; $('rq-units').focus();
    } }, t('add'), ' ', u.name, el('span', { class: 'cd' }, ' ' + u.code)),
    u.parent_name ? el('span', { class: 'sub' }, ' · ' + u.parent_name) : null))
    : el('li', { class: 'sub' }, t('noHits')));
}
/* POST /api/requests; a refusal shows the server's message beside the form. */
async function submitRequest(ev) {
  ev.preventDefault();
  const f = $('rq-form'), b = $('rq-submit'), err = $('rq-err');
  err.textContent = ''; delete err.dataset.status; $('rq-ok').textContent = '';
  const body = { campaign: S.camp.id, id: $('rq-id').value.trim(), units: $('rq-units').value.trim(),
    indicators: [...f.querySelectorAll('input[name=indicators]:checked')].map((x) => x.value).join(','),
    due: $('rq-due').value, note: $('rq-note').value };
  b.disabled = true; f.setAttribute('aria-busy', 'true');
  try {
    const q = await post('/api/requests', body);
    f.reset();
    await refreshCampaigns();
    await load();
    $('rq-ok').textContent = t('rqCreated', q.id);
  } catch (e) {
    err.textContent = e.message; err.dataset.status = e.status || '';
  } finally { b.disabled = false; f.setAttribute('aria-busy', 'false'); }
}

/* --- export ------------------------------------------------------------- */
async function doExport() {
  const b = $('export'); b.disabled = true; say(t('exporting'));
  try {
    const r = await api('/api/export', { campaign: S.camp.id, period: S.period, unit: S.unit, format: 'xlsx' }, { raw: true });
    const m = /filename="?([^";]+)"?/.exec(r.headers.get('Content-Disposition') || '');
    const a = el('a', { href: URL.createObjectURL(await r.blob()),
                        download: m ? m[1] : 'lnob-' + S.camp.id + '-' + S.period + '-' + S.unit + '.xlsx' });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    say('');
  } catch (e) { say(e.message); } finally { b.disabled = false; }
}

/* --- tabs, language, wiring --------------------------------------------- */
function selectTab(name, reload) {
  S.tab = name;
  document.querySelectorAll('[role=tab]').forEach((b) => {
    const on = b.id === 'tab-' + name;
    b.setAttribute('aria-selected', on); b.tabIndex = on ? 0 : -1;
    $(b.getAttribute('aria-controls')).hidden = !on;
  });
  document.body.dataset.tab = name;
  if (reload) guard(load());
}
function tabKey(ev) {
  const tabs = [...document.querySelectorAll('[role=tab]')], i = tabs.indexOf(ev.target);
  const j = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
  if (j == null) return;
  ev.preventDefault();
  const b = tabs[(j + tabs.length) % tabs.length]; b.focus(); selectTab(b.id.slice(4), true);
}
function setLang(l) {
  S.lang = l; localStorage.setItem('lnob.lang', l);
  document.documentElement.lang = l;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
  document.querySelectorAll('[data-i18n-aria]').forEach((e) => e.setAttribute('aria-label', t(e.dataset.i18nAria)));
  const b = $('lang'), other = l === 'vi' ? 'en' : 'vi';
  b.textContent = other.toUpperCase(); b.lang = other;
  b.setAttribute('aria-label', other === 'en' ? 'English' : 'Tiếng Việt');
  document.title = 'lnob';
  renderWho();
  if (S.camp) fillPickers();
  if (S.token && S.camp) guard(load());
}
/* A printed summary shows every late and missing unit, folded lists too. */
function printOpen(on) {
  document.querySelectorAll('details.ulist').forEach((d) => {
    if (on) { d.dataset.was = d.open ? '1' : ''; d.open = true; } else { d.open = d.dataset.was === '1'; }
  });
}
function wire() {
  window.addEventListener('beforeprint', () => printOpen(true));
  window.addEventListener('afterprint', () => printOpen(false));
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    S.token = $('token').value.trim(); sessionStorage.setItem('lnob.token', S.token); $('token').value = '';
    guard(start());
  });
  $('logout').addEventListener('click', () => showLogin(''));
  $('lang').addEventListener('click', () => setLang(S.lang === 'vi' ? 'en' : 'vi'));
  $('tree').addEventListener('click', treeClick);
  $('tree').addEventListener('keydown', treeKey);
  $('q').addEventListener('input', searchInput);
  $('campaign').addEventListener('change', () => {
    S.camp = S.camps.find((c) => c.id === $('campaign').value);
    guard(loadAdhoc().then(() => {
      if (!S.camp.periods.includes(S.period)) S.period = defaultPeriod(S.camp);
      fillPickers(); return load();
    }));
  });
  $('period').addEventListener('change', () => { S.period = $('period').value; guard(load()); });
  $('export').addEventListener('click', doExport);
  $('print').addEventListener('click', () => guard((S.tab === 'summary' ? Promise.resolve()
    : (selectTab('summary', false), load())).then(() => window.print())));
  document.querySelectorAll('[role=tab]').forEach((b) => {
    b.addEventListener('click', () => selectTab(b.id.slice(4), true));
    b.addEventListener('keydown', tabKey);
  });
}
/* The token: from #token=... (then removed from the address bar), else sessionStorage. */
function boot() {
  wire();
  const h = readHash();
  if (h.token) {
    sessionStorage.setItem('lnob.token', h.token); delete h.token;
    history.replaceState(null, '', location.pathname + location.search +
      (Object.keys(h).length ? '#' + new URLSearchParams(h) : ''));
  }
  setLang(localStorage.getItem('lnob.lang') || 'vi');
  S.token = sessionStorage.getItem('lnob.token');
  if (!S.token) { showLogin(''); return; }
  guard(start());
}
window.lnob = { state: S };
boot();
})();
