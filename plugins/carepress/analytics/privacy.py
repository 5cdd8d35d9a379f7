"""The generated privacy page (French and English), filled from the analytics settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from carepress.analytics.settings import AnalyticsSettings

# Editors place this line in any page (usually the privacy page) to show the opt-out control.
OPT_OUT_SHORTCODE = "<!-- carepress:analytics-opt-out -->"

PAGES = {"fr": "confidentialite.md", "en": "privacy.md"}
FOOTER_LABELS = {"fr": "Confidentialité", "en": "Privacy"}  # each in its own language

_TEXT = {
    "fr": {
        "title": "Confidentialité et mesure d'audience",
        "none": "Ce site ne mesure pas son audience : aucune donnée de navigation n'est envoyée, à personne.",
        "what": "## Ce que nous mesurons",
        "what_body": ("Nous comptons les pages vues, les clics sur les boutons d'action, les liens vers d'autres "
                      "sites, les téléchargements de documents, la lecture d'un article jusqu'à la fin et les pages "
                      "introuvables. Chaque mesure décrit uniquement le contenu : le profil de lecteur visé, l'étape "
                      "du parcours, le type de contenu, le thème, le public, la langue et l'adresse de la page."),
        "never": "## Ce que nous ne collectons jamais",
        "never_body": ("Aucun cookie, aucun stockage dans votre navigateur, aucun identifiant de visiteur, aucun "
                       "suivi d'un site à l'autre. Les paramètres et ancres des adresses sont retirés ; du site "
                       "qui vous a amené ici, seul le nom de domaine est transmis."),
        "why": "## Pourquoi",
        "why_body": ("Pour savoir quels contenus répondent aux besoins de leurs lecteurs et les améliorer. Cette "
                     "mesure d'audience anonyme reste dans les limites fixées par la CNIL pour être dispensée de "
                     "consentement."),
        "engine": "## Outil et conservation",
        "engine_body": "Les mesures sont envoyées à {engine}, à l'adresse {host}, et conservées {months} mois au plus.",
        "opt_out": "## Refuser la mesure",
        "opt_out_body": ("Si votre navigateur envoie le signal « Do Not Track » ou « Global Privacy Control », rien "
                         "n'est mesuré. Vous pouvez aussi refuser la mesure avec le bouton ci-dessous : votre choix "
                         "est alors la seule information enregistrée dans votre navigateur."),
    },
    "en": {
        "title": "Privacy and audience measurement",
        "none": "This site does not measure its audience: no browsing data is sent anywhere.",
        "what": "## What we measure",
        "what_body": ("We count page views, clicks on call-to-action buttons, links to other sites, document "
                      "downloads, articles read to the end and pages not found. Each measure describes the content "
                      "only: the intended reader profile, the journey stage, the content type, the topic, the "
                      "audience, the language and the page's address."),
        "never": "## What we never collect",
        "never_body": ("No cookie, no storage in your browser, no visitor identifier, no tracking across sites. "
                       "Query strings and fragments are removed from addresses; of the site that brought you here, "
                       "only its domain name is sent."),
        "why": "## Why",
        "why_body": ("To learn which content meets its readers' needs and improve it. This anonymous audience "
                     "measurement stays within the limits the CNIL sets for measurement exempt from consent."),
        "engine": "## Engine and retention",
        "engine_body": "Measures are sent to {engine}, at {host}, and kept for {months} months at most.",
        "opt_out": "## Opting out",
        "opt_out_body": ("If your browser sends the Do Not Track or Global Privacy Control signal, nothing is "
                         "measured. You can also opt out with the button below: your choice is then the only "
                         "thing stored in your browser."),
    },
}

_CONTROL_TEXT = {
    "fr": {"out": "Ne plus mesurer mes visites", "in": "Accepter à nouveau la mesure",
           "measured": "Vos visites sont mesurées de façon anonyme.", "opted_out": "Vos visites ne sont pas mesurées.",
           "none": "Ce site ne mesure pas son audience."},
    "en": {"out": "Stop measuring my visits", "in": "Allow measurement again",
           "measured": "Your visits are measured anonymously.", "opted_out": "Your visits are not measured.",
           "none": "This site does not measure its audience."},
}


def privacy_markdown(settings: AnalyticsSettings, language: str) -> str:
    text = _TEXT[language]
    parts = [f"# {text['title']}"]
    if not settings.enabled:
        parts.append(text["none"])
        return "\n\n".join(parts) + "\n"
    host = urlsplit(settings.collect_url or "").hostname or ""
    parts += [
        text["what"], text["what_body"], text["never"], text["never_body"], text["why"], text["why_body"],
        text["engine"], text["engine_body"].format(engine=settings.engine, host=f"`{host}`", months=settings.retention_months),
        text["opt_out"], text["opt_out_body"], OPT_OUT_SHORTCODE,
    ]
    return "\n\n".join(parts) + "\n"


def opt_out_control(settings: AnalyticsSettings, language: str) -> str:
    """The HTML the shortcode becomes; analytics.js makes the button work (no inline script)."""
    text = _CONTROL_TEXT.get(language, _CONTROL_TEXT["en"])
    if not settings.enabled:
        return f'<p class="cp-opt-out">{text["none"]}</p>'
    return (
        f'<div class="cp-opt-out" data-cp-opt-out data-label-out="{text["out"]}" data-label-in="{text["in"]}" '
        f'data-status-measured="{text["measured"]}" data-status-opted-out="{text["opted_out"]}">\n'
        f'<p class="cp-opt-out__status" role="status">{text["measured"]}</p>\n'
        f'<button type="button" class="md-button cp-opt-out__button">{text["out"]}</button>\n</div>'
    )
