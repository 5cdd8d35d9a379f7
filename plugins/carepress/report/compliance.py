"""The compliance report: per page, its state on each site, its findings, approval and waivers."""

from __future__ import annotations

from jinja2 import Environment, select_autoescape

from carepress import __version__
from carepress.compliance.engine import Verdict
from carepress.model.schema import SiteAudience
from carepress.model.site import Site
from carepress.report.finding import Finding


def workflow_state(article, findings: list[Finding]) -> str:
    """One word a reviewer reads first: approved, changed, expired, incomplete, or the status."""
    # What keeps the page off the site decides: CP205 as a warning (an approval recorded before attached files were)
    # leaves it approved.
    codes = {f.code for f in findings if f.blocks_publication}
    status = article.meta.validation.status.value
    if status != "approved":
        return status
    for code, state in (("CP202", "expired"), ("CP203", "changed since approval"),
                        ("CP205", "attached file changed since approval"), ("CP201", "approval incomplete")):
        if code in codes:
            return state
    return "approved"


def compliance_data(site: Site, verdicts: dict[SiteAudience, dict[str, Verdict]]) -> dict:
    pages = []
    for src_uri in sorted(set().union(*(v.keys() for v in verdicts.values()))):
        article = site.articles.get(src_uri)
        findings: dict[tuple, Finding] = {}
        sites = {}
        for audience, by_page in verdicts.items():
            verdict = by_page[src_uri]
            sites[audience.value] = "published" if verdict.published else ("left out" if verdict.in_audience else "other audience")
            for finding in verdict.findings:
                findings.setdefault((finding.line, finding.code, finding.message), finding)
        ordered = sorted(findings.values())
        validation = article.meta.validation if article else None
        pages.append({
            "src_uri": src_uri,
            "path": article.path if article else site.unreadable.get(src_uri, src_uri),
            "title": article.meta.title if article else None,
            "audience": article.meta.audience.value if article else None,
            "content_type": article.meta.content_type.value if article else None,
            "state": workflow_state(article, ordered) if article else "unreadable",
            "sites": sites,
            "approval": validation.model_dump(mode="json") if validation else None,
            "findings": [f.to_dict() for f in ordered],
            "waivers": [{"code": f.code, "reason": f.waived, "line": f.line} for f in ordered if f.waived],
        })
    page_paths = {page["path"] for page in pages}
    registry = sorted({f for f in site.load_findings if f.path not in page_paths})
    return {"carepress": __version__, "build_date": site.project.today.isoformat(), "pages": pages,
            "registry_findings": [f.to_dict() for f in registry]}


_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Rapport de conformité — {{ data.build_date }}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem;max-width:70rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.error{color:#b00020}.warning{color:#8a6d00}.waived{color:#666}.state{font-weight:bold}
section{border-top:2px solid #333;margin-top:1.5rem}
</style></head><body>
<h1>Rapport de conformité CarePress</h1>
<p>Date de référence : {{ data.build_date }} · CarePress {{ data.carepress }} · {{ data.pages|length }} page(s)</p>
<table><tr><th>Page</th><th>État</th><th>Site patient</th><th>Site professionnels</th><th>Code</th><th>Expire</th><th>Constats</th></tr>
{% for p in data.pages %}<tr><td><a href="#p{{ loop.index }}">{{ p.path }}</a></td><td class="state">{{ p.state }}</td>
<td>{{ p.sites.patient }}</td><td>{{ p.sites.hcp }}</td><td>{{ (p.approval.code if p.approval else "") or "—" }}</td>
<td>{{ (p.approval.expires if p.approval else "") or "—" }}</td><td>{{ p.findings|length }}</td></tr>{% endfor %}
</table>
{% if data.registry_findings %}<h2>Registres</h2><ul>{% for f in data.registry_findings %}
<li class="{{ f.severity }}">{{ f.path }}:{{ f.line }} {{ f.code }} — {{ f.message }}</li>{% endfor %}</ul>{% endif %}
{% for p in data.pages %}<section id="p{{ loop.index }}">
<h2>{{ p.title or p.path }}</h2>
<p><code>{{ p.path }}</code> · public : {{ p.audience }} · type : {{ p.content_type }} · état : <span class="state">{{ p.state }}</span></p>
{% if p.approval %}<table><tr><th>Statut</th><td>{{ p.approval.status }}</td></tr>
<tr><th>Code d'approbation</th><td>{{ p.approval.code or "—" }}</td></tr>
<tr><th>Approuvé le / expire le</th><td>{{ p.approval.approved or "—" }} / {{ p.approval.expires or "—" }}</td></tr>
<tr><th>Relecteurs</th><td>médical : {{ p.approval.reviewers.medical or "—" }} · juridique : {{ p.approval.reviewers.legal or "—" }} · réglementaire : {{ p.approval.reviewers.regulatory or "—" }}</td></tr>
<tr><th>Empreinte</th><td><code>{{ p.approval.fingerprint or "—" }}</code></td></tr></table>{% endif %}
{% if p.findings %}<table><tr><th>Ligne</th><th>Code</th><th>Gravité</th><th>Site</th><th>Constat</th></tr>
{% for f in p.findings %}<tr class="{{ 'waived' if f.waived else f.severity }}"><td>{{ f.line or "" }}</td><td>{{ f.code }}</td>
<td>{{ "dérogation" if f.waived else f.severity }}</td><td>{{ f.audience or "tous" }}</td>
<td>{{ f.message }}{% if f.waived %} — <strong>dérogation :</strong> {{ f.waived }}{% endif %}</td></tr>{% endfor %}</table>
{% else %}<p>Aucun constat.</p>{% endif %}
</section>{% endfor %}
</body></html>
"""


def render_html(data: dict) -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(_HTML).render(data=data)
