import type { ComplianceReport, ReportedEvaluation, RuleSection } from '../model.js';
import { consoleUrl, rulesById, statusLabel } from './common.js';
import { COLORS, escapeHtml as e, statusChart, trendChart } from './svg.js';

// The page must open inside an isolated network: no external asset of any kind, and the CSP makes
// the browser refuse one should it ever slip in.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
main{padding:8px 24px 48px}section{margin:24px 0}h2{border-bottom:1px solid #cfd8dc;padding-bottom:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eceff1;position:sticky;top:0}.badge{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:12px;white-space:nowrap}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #cfd8dc;border-radius:4px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:24px}.reason{white-space:pre-wrap;word-break:break-word;max-width:60em}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}.filters input{min-width:20em}code{font-size:12px}
.muted{color:#607d8b}.chart{max-width:100%;height:auto}`;

const SCRIPT = `
(function(){
  var rows=Array.prototype.slice.call(document.querySelectorAll('#evaluations tbody tr'));
  var text=rows.map(function(r){return r.textContent.toLowerCase();});
  var q=document.getElementById('filter-text'),s=document.getElementById('filter-status'),
      a=document.getElementById('filter-account'),u=document.getElementById('filter-rule'),
      c=document.getElementById('filter-count');
  function apply(){
    var t=q.value.trim().toLowerCase(),shown=0;
    for(var i=0;i<rows.length;i++){var r=rows[i];
      var ok=(!t||text[i].indexOf(t)>=0)&&(!s.value||r.getAttribute('data-status')===s.value)&&
        (!a.value||r.getAttribute('data-account')===a.value)&&(!u.value||r.getAttribute('data-rule')===u.value);
      r.hidden=!ok;if(ok)shown++;}
    c.textContent=shown+' of '+rows.length+' evaluations shown';
  }
  [q,s,a,u].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
  apply();
})();`;

const badge = (status: string): string =>
  `<span class="badge" style="background:${COLORS[status] ?? '#546e7a'}">${e(statusLabel(status))}</span>`;

const options = (values: readonly string[], all: string): string =>
  `<option value="">${e(all)}</option>${values.map((value) => `<option value="${e(value)}">${e(value)}</option>`).join('')}`;

const evaluationRow = (evaluation: ReportedEvaluation, rule: RuleSection | undefined): string => {
  const url = consoleUrl(evaluation);
  const suppression = evaluation.suppressed
    ? `<div class="muted">Suppressed until ${e(evaluation.suppressed.expires)}${evaluation.suppressed.owner ? ` by ${e(evaluation.suppressed.owner)}` : ''}: ${e(evaluation.suppressed.reason)}</div>`
    : '';
  return `<tr data-status="${e(evaluation.status)}" data-account="${e(evaluation.accountId)}" data-rule="${e(evaluation.ruleId)}"><td>${badge(evaluation.status)}${evaluation.unverifiable ? ' <span class="muted">unverified</span>' : ''}</td><td>${e(evaluation.ruleId)}</td><td>${e(evaluation.accountId)}<br><span class="muted">${e(evaluation.region)}</span></td><td>${e(evaluation.resourceType)}<br>${url ? `<a href="${e(url)}" rel="noreferrer">${e(evaluation.resourceId)}</a>` : e(evaluation.resourceId)}</td><td>${e(evaluation.since)}</td><td><div class="reason">${e(evaluation.detail)}</div>${suppression}${evaluation.complianceType === 'NON_COMPLIANT' && rule?.remediation ? `<div class="muted">Fix: ${e(rule.remediation)}</div>` : ''}</td></tr>`;
};

const requirementsTable = (report: ComplianceReport): string =>
  `<table id="requirements"><thead><tr><th>Framework</th><th>Requirement</th><th>Title</th><th>Status</th><th>Rules</th><th>Failing resources (evidence)</th></tr></thead><tbody>${report.requirements
    .map(
      (requirement) =>
        `<tr data-status="${e(requirement.status)}"><td>${e(requirement.framework)}</td><td>${e(requirement.id)}</td><td>${e(requirement.title)}</td><td>${badge(requirement.status)}</td><td>${requirement.rules
          .map(
            (rule) =>
              `${e(rule.ruleId)} <span class="muted">(${e(rule.strength)}, ${e(statusLabel(rule.status))})</span>`,
          )
          .join('<br>')}</td><td>${requirement.failing.length}${
          requirement.failing.length > 0
            ? `<details><summary>show</summary>${requirement.failing
                .slice(0, 200)
                .map((key) => `<code>${e(key)}</code>`)
                .join(
                  '<br>',
                )}${requirement.failing.length > 200 ? `<br>… ${requirement.failing.length - 200} more` : ''}</details>`
            : ''
        }</td></tr>`,
    )
    .join('')}</tbody></table>`;

const countsCells = (counts: ComplianceReport['summary']['counts']): string =>
  `<td>${counts.NON_COMPLIANT}</td><td>${counts.SUPPRESSED}</td><td>${counts.COMPLIANT}</td><td>${counts.NOT_APPLICABLE}</td>`;

/** Resources not passing come first; the evaluations table below lists them all anyway. */
const MAX_RESOURCES = 2000;

const resourcesSection = (report: ComplianceReport): string => {
  const shown = report.resources.slice(0, MAX_RESOURCES);
  const more = report.resources.length - shown.length;
  return `<section id="resources"><h2>Resources</h2><table id="resources-table"><thead><tr><th>Status</th><th>Account / region</th><th>Resource</th><th>Failing rules</th><th>Since</th></tr></thead><tbody>${shown
    .map(
      (resource) =>
        `<tr data-status="${e(resource.status)}"><td>${badge(resource.status)}</td><td>${e(resource.accountId)}<br><span class="muted">${e(resource.region)}</span></td><td>${e(resource.resourceType)}<br>${e(resource.resourceId)}</td><td>${resource.failingRules.map(e).join('<br>')}</td><td>${e(resource.since)}</td></tr>`,
    )
    .join(
      '',
    )}</tbody></table>${more > 0 ? `<p class="muted">… ${more} more resources; the evaluations below list every one.</p>` : ''}</section>`;
};

const diffSection = (report: ComplianceReport): string => {
  const { diff } = report;
  if (!diff) {
    return '<section id="changes"><h2>Changes</h2><p class="muted">No previous report to compare with.</p></section>';
  }
  const list = (items: string[]) =>
    items.length === 0
      ? '<p class="muted">None.</p>'
      : `<ul>${items
          .slice(0, 500)
          .map((item) => `<li>${item}</li>`)
          .join('')}${items.length > 500 ? `<li>… ${items.length - 500} more</li>` : ''}</ul>`;
  return `<section id="changes"><h2>Changes since ${e(diff.previousGeneratedAt)}</h2><p>${diff.new.length} new, ${diff.resolved.length} resolved, ${diff.stillOpen.length} still open.</p><h3>New violations</h3>${list(diff.new.map((key) => `<code>${e(key)}</code>`))}<h3>Resolved</h3>${list(diff.resolved.map((entry) => `<code>${e(entry.key)}</code> now ${e(statusLabel(entry.now))}`))}<h3>Still open</h3>${list(diff.stillOpen.map((entry) => `<code>${e(entry.key)}</code> open ${entry.ageDays} day(s), since ${e(entry.since)}`))}</section>`;
};

const suppressionsSection = (report: ComplianceReport): string => {
  const { active, expired, unused } = report.suppressions;
  const rows = (entries: typeof active, state: string) =>
    entries
      .map(
        (entry) =>
          `<tr><td>${e(state)}</td><td>${entry.entry + 1}</td><td>${e(entry.ruleId)}</td><td>${e(entry.resource)}</td><td>${e(entry.account ?? '*')}</td><td>${e(entry.region ?? '*')}</td><td>${e(entry.reason)}</td><td>${e(entry.expires)}</td><td>${e(entry.owner ?? '')}</td><td>${entry.matched}</td></tr>`,
      )
      .join('');
  const all = rows(active, 'active') + rows(expired, 'expired') + rows(unused, 'unused');
  return `<section id="suppressions"><h2>Suppressions</h2>${
    all
      ? `<table><thead><tr><th>State</th><th>Entry</th><th>Rule</th><th>Resource</th><th>Account</th><th>Region</th><th>Reason</th><th>Expires</th><th>Owner</th><th>Matched</th></tr></thead><tbody>${all}</tbody></table>`
      : '<p class="muted">No suppressions file was applied.</p>'
  }</section>`;
};

/** Where results are missing; nothing when the source could not tell (a scan's JSON). */
const coverageSection = (report: ComplianceReport): string => {
  const { coverage } = report;
  if (!coverage) return '';
  const gaps = coverage.gaps.slice(0, 500);
  const rows = gaps
    .map(
      (gap) =>
        `<tr><td>${e(gap.accountId)}</td><td>${e(gap.region)}</td><td>${e(gap.kind)}</td><td>${e(gap.ruleId ?? '')}</td><td>${e(gap.recorded ?? '')}</td><td>${e(gap.reason)}</td></tr>`,
    )
    .join('');
  const more =
    coverage.gaps.length > gaps.length
      ? `<p class="muted">… and ${coverage.gaps.length - gaps.length} more (JSON and CSV list all).</p>`
      : '';
  return `<section id="coverage"><h2>Coverage</h2><p class="muted">${coverage.checked ? 'Checked' : '<b>Not fully checked</b>'}: ${e(coverage.note)}.</p>${
    rows
      ? `<table id="coverage-table"><thead><tr><th>Account</th><th>Region</th><th>Gap</th><th>Rule</th><th>Recorded</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>${more}`
      : '<p class="muted">No gaps: every rule reported wherever AWS Config records its resource type.</p>'
  }</section>`;
};

/** The whole report as one self-contained HTML page: inline CSS, SVG and script, every value escaped. */
const renderHtml = (report: ComplianceReport): string => {
  const rules = rulesById(report);
  const { summary } = report;
  const accounts = [
    ...new Set(report.evaluations.map((evaluation) => evaluation.accountId)),
  ].sort();
  const ruleIds = [...new Set(report.evaluations.map((evaluation) => evaluation.ruleId))].sort();
  const statuses = ['NON_COMPLIANT', 'SUPPRESSED', 'COMPLIANT', 'NOT_APPLICABLE'];
  const card = (label: string, value: number | string) =>
    `<div class="card"><b>${e(value)}</b>${e(label)}</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="viewport" content="width=device-width,initial-scale=1"><title>vpce-guard compliance report ${e(report.generatedAt)}</title><style>${STYLE}</style></head>
<body><header><h1>vpce-guard compliance report</h1><div>Generated ${e(report.generatedAt)} from ${e(report.source.kind)}${report.source.name ? ` ${e(report.source.name)}` : ''} · schema ${e(report.schema)} v${report.schemaVersion}</div></header><main>
<section id="summary"><h2>Summary</h2><div class="cards">${card('failing', summary.failing)}${card('suppressed', summary.counts.SUPPRESSED)}${card('compliant', summary.counts.COMPLIANT)}${card('not applicable', summary.counts.NOT_APPLICABLE)}${card('unverified', summary.unverifiable)}${card('requirements failing', `${summary.requirementsFailing}/${summary.requirementsTotal}`)}${card('resources', summary.resources)}${card('accounts', summary.accounts)}${card('regions', summary.regions)}${report.coverage ? card('coverage gaps', summary.coverageGaps) : ''}</div>
${statusChart(summary.counts, report.rules)}
<h3>Trend</h3>${trendChart(report.trend)}</section>
<section id="requirements-section"><h2>Requirements (PCI DSS 4.0, HIPAA Security Rule)</h2><p class="muted">Status is the worst status of the rules mapped to the requirement. Mappings are supporting evidence, not an assessment.</p>${requirementsTable(report)}</section>
<section id="rules"><h2>Rules</h2><table id="rules-table"><thead><tr><th>Rule</th><th>Severity</th><th>Status</th><th>Non-compliant</th><th>Suppressed</th><th>Compliant</th><th>N/A</th></tr></thead><tbody>${report.rules
    .map(
      (rule) =>
        `<tr><td>${e(rule.ruleId)}<br><span class="muted">${e(rule.title)}</span></td><td>${e(rule.severity)}</td><td>${badge(rule.status)}</td>${countsCells(rule.counts)}</tr>`,
    )
    .join('')}</tbody></table></section>
<section id="accounts"><h2>Accounts and regions</h2><table id="accounts-table"><thead><tr><th>Account</th><th>Region</th><th>Status</th><th>Non-compliant</th><th>Suppressed</th><th>Compliant</th><th>N/A</th></tr></thead><tbody>${report.accounts
    .map(
      (account) =>
        `<tr><td>${e(account.accountId)}</td><td>${e(account.region)}</td><td>${badge(account.status)}</td>${countsCells(account.counts)}</tr>`,
    )
    .join('')}</tbody></table></section>
${coverageSection(report)}
${resourcesSection(report)}
${diffSection(report)}
<section id="evaluations-section"><h2>Evaluations</h2><div class="filters"><input id="filter-text" type="search" placeholder="Filter by resource, rule, reason…" aria-label="Filter text"><select id="filter-status" aria-label="Status">${options(statuses, 'All statuses')}</select><select id="filter-account" aria-label="Account">${options(accounts, 'All accounts')}</select><select id="filter-rule" aria-label="Rule">${options(ruleIds, 'All rules')}</select><span id="filter-count" class="muted"></span></div>
<table id="evaluations"><thead><tr><th>Status</th><th>Rule</th><th>Account / region</th><th>Resource</th><th>Since</th><th>Reason</th></tr></thead><tbody>${report.evaluations
    .map((evaluation) => evaluationRow(evaluation, rules.get(evaluation.ruleId)))
    .join('\n')}</tbody></table></section>
${suppressionsSection(report)}
</main><script>${SCRIPT}</script></body></html>
`;
};

export { CSP, renderHtml };
