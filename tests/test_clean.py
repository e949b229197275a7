"""Cleaning: plain-text boilerplate on the real seeds, HTML extraction on news-page fixtures,
repeated-line removal across an outlet's pages, and identity normalisation."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echotrace.clean.html import clean_html, html_metadata
from echotrace.clean.normalise import make_doc_id, normalise_for_id
from echotrace.clean.text import (
    RepeatedLines,
    clean_text,
    line_fingerprint,
    strip_repeated_title_parts,
    strip_site_name,
)
from echotrace.records import Cleaned

# ---------------------------------------------------------------- HTML fixtures
# Realistic news pages (synthetic text written for the project): each carries the chrome real news
# sites wrap around an article (navigation, masthead, breadcrumbs, share bars, newsletter boxes,
# cookie banners, related links, comments, footers). `body` is what a reader calls the article;
# `chrome` must never reach the text. bench/ingest_clean_compare.py measures extractors on them.


@dataclass(frozen=True)
class HtmlFixture:
    name: str
    html: str
    title: str
    body: list[str]
    chrome: list[str]


EN = [
    "The regional water authority said on Monday that the northern reservoir had fallen to its lowest "
    "level in eleven years, and that farmers in the valley would receive a third less irrigation water "
    "than last season.",
    "Officials blamed a dry winter and an early heat wave for the shortfall. \u201cWe are asking every "
    "household to cut its use by a fifth until the autumn rains arrive,\u201d the authority\u2019s director, "
    "Helena Marsh, told reporters at a briefing in the provincial capital.",
    "Growers\u2019 associations criticised the decision, arguing that the cuts would fall hardest on small "
    "orchards that cannot afford drip systems. Several of them said they would appeal to the regional "
    "parliament before the end of the month.",
    "The authority plans to publish weekly figures on reservoir levels and to review the allocation in "
    "September, when the first autumn forecasts become available.",
    "Port workers in the harbour city walked out for twenty-four hours on Thursday after talks over "
    "night-shift pay broke down, leaving more than forty container ships waiting at anchor.",
    "The union said the operator had refused to honour an agreement reached in the spring, while the "
    "company insisted that its latest offer was the most generous in the sector.",
    "Customs data show that the harbour handled nearly two million containers last year, making it the "
    "busiest port on that stretch of coast.",
    "A mediator appointed by the labour ministry is expected to meet both sides again next week, a "
    "ministry spokesman said, adding that a longer strike could disrupt supplies of fuel and grain.",
]
FR = [
    "Le conseil municipal a adopt\u00e9 mardi soir un plan de r\u00e9novation des \u00e9coles primaires qui "
    "pr\u00e9voit l\u2019isolation de quinze b\u00e2timents d\u2019ici \u00e0 la fin de l\u2019ann\u00e9e prochaine.",
    "\u00ab Nous ne pouvons plus chauffer des classes dont les fen\u00eatres datent des ann\u00e9es soixante \u00bb, "
    "a d\u00e9clar\u00e9 l\u2019adjointe charg\u00e9e de l\u2019\u00e9ducation lors de la s\u00e9ance publique.",
    "L\u2019opposition a vot\u00e9 contre le texte en d\u00e9non\u00e7ant un calendrier trop serr\u00e9 et un "
    "financement qui repose en grande partie sur un emprunt.",
]
DE = [
    "Die Stadtwerke haben am Mittwoch angek\u00fcndigt, die Strompreise f\u00fcr Privatkunden zum ersten "
    "Januar um durchschnittlich acht Prozent zu senken.",
    "Grund seien g\u00fcnstigere Einkaufskonditionen an der Str\u00f6mb\u00f6rse, sagte ein Sprecher des "
    "Unternehmens. Gewerbekunden sollen in einem zweiten Schritt entlastet werden.",
    "Verbrauchersch\u00fctzer begr\u00fc\u00dften die Senkung, forderten aber zugleich mehr Transparenz bei "
    "den Netzentgelten, die einen wachsenden Teil der Rechnung ausmachen.",
]
ES = [
    "El ayuntamiento anunci\u00f3 este jueves la apertura de tres nuevas l\u00edneas de autob\u00fas que "
    "conectar\u00e1n los barrios del sur con el hospital comarcal a partir del pr\u00f3ximo mes.",
    "Seg\u00fan la concejala de movilidad, las nuevas rutas reducir\u00e1n a la mitad el tiempo de viaje de "
    "unos doce mil vecinos que hoy dependen de dos transbordos.",
    "Las asociaciones vecinales celebraron la medida, aunque reclamaron que el servicio nocturno se "
    "ampl\u00ede tambi\u00e9n a los fines de semana.",
]
RU = [
    "Городская администрация в пятницу сообщила, что ремонт центрального моста завершится "
    "на два месяца раньше срока, и движение будет открыто уже в сентябре.",
    "По словам заместителя мэра, подрядчик ускорил работы благодаря сухой погоде и "
    "круглосуточным сменам на строительной площадке.",
    "Жители соседних районов жаловались на пробки все лето, поэтому новость "
    "встретили с облегчением.",
]


def _paragraphs(texts: list[str]) -> str:
    return "\n".join(f"<p>{t}</p>" for t in texts)


def _nav(items: list[str]) -> str:
    return "<nav><ul>" + "".join(f'<li><a href="/{i.lower()}">{i}</a></li>' for i in items) + "</ul></nav>"


def _related(label: str, headlines: list[str]) -> str:
    links = "".join(f'<li><a href="/story/{n}">{h}</a></li>' for n, h in enumerate(headlines))
    return f'<aside class="related"><h3>{label}</h3><ul>{links}</ul></aside>'


def _share(buttons: list[str]) -> str:
    return '<div class="share-bar">' + "".join(f'<a class="share" href="#">{b}</a>' for b in buttons) + "</div>"


def _comments(authors_texts: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li class="comment"><span class="author">{a}</span><p>{t}</p></li>' for a, t in authors_texts
    )
    return f'<section id="comments"><h3>{len(authors_texts)} Comments</h3><ol>{items}</ol></section>'


def _head(title: str, extra: str = "") -> str:
    return f"<head><meta charset='utf-8'><title>{title}</title>{extra}</head>"


def fixtures() -> list[HtmlFixture]:
    pages: list[HtmlFixture] = []

    title = "Reservoir at lowest level in eleven years, water authority says"
    pages.append(HtmlFixture(
        "wordpress_blog",
        "<!DOCTYPE html><html>"
        + _head(title + " | Valley Courier", '<meta property="og:site_name" content="Valley Courier">')
        + "<body><header><div class='site-title'>Valley Courier</div>"
        + _nav(["Home", "Politics", "Economy", "Environment", "Contact"]) + "</header>"
        + f"<main><article class='post'><h1 class='entry-title'>{title}</h1>"
        + "<div class='entry-meta'>Posted on <time datetime='2023-07-03'>July 3, 2023</time> by Staff</div>"
        + f"<div class='entry-content'>{_paragraphs(EN[:4])}</div>"
        + _share(["Share on Facebook", "Share on Twitter", "Email this story"])
        + "</article>"
        + _related("Related Posts", ["Drought hits olive harvest", "New pipeline approved for the coast",
                                     "Council debates water meters"])
        + _comments([("Ann", "Nobody told us about this until today, typical."),
                     ("Bob", "Great reporting, keep it up!")])
        + "<div id='respond'><h3>Leave a Reply</h3><form><textarea></textarea></form></div></main>"
        + "<footer><p>\u00a9 2023 Valley Courier. All rights reserved.</p>"
        + "<p><a href='/privacy'>Privacy Policy</a> | <a href='/terms'>Terms of Use</a></p></footer></body></html>",
        title, EN[:4],
        ["Share on Facebook", "Drought hits olive harvest", "Nobody told us about this", "Leave a Reply",
         "All rights reserved", "Privacy Policy", "Environment"],
    ))

    title = "Port strike leaves forty ships waiting at anchor"
    ld = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
          f'"headline":"{title}","datePublished":"2023-03-16T09:30:00+01:00",'
          '"dateModified":"2023-03-16T12:00:00+01:00","author":{"@type":"Person","name":"Jonas Weller"},'
          '"publisher":{"@type":"Organization","name":"Harbour Daily"}}</script>'
          '<link rel="canonical" href="https://harbour.example/news/port-strike">')
    pages.append(HtmlFixture(
        "news_article_jsonld",
        "<html>" + _head(title, ld) + "<body>"
        + "<div id='cookie-consent'><p>We use cookies to improve your experience on our site. "
          "By continuing to browse you accept our cookie policy.</p><button>Accept all cookies</button></div>"
        + "<header><a class='logo' href='/'>Harbour Daily</a>" + _nav(["News", "Business", "Sport", "Opinion"])
        + "</header><div class='breadcrumbs'><a href='/'>Home</a> &gt; <a href='/business'>Business</a></div>"
        + f"<article><h1>{title}</h1><p class='byline'>By Jonas Weller</p>"
        + "<figure><img src='ships.jpg'><figcaption>Container ships off the coast.</figcaption></figure>"
        + _paragraphs(EN[4:6])
        + "<p class='read-more'><strong>Read more:</strong> <a href='/x'>Dock wages fall behind inflation</a></p>"
        + _paragraphs(EN[6:8])
        + "<aside class='newsletter'><h4>Subscribe to our newsletter</h4><p>Sign up here to get the "
          "morning briefing delivered directly to your inbox.</p><form><input type='email'></form></aside>"
        + "</article>" + _related("More from Business", ["Shipping rates climb again", "Grain exports resume"])
        + "<footer><p>Harbour Daily \u00a9 2023 \u2014 All rights reserved</p></footer></body></html>",
        title, EN[4:8],
        ["We use cookies", "Accept all cookies", "Dock wages fall behind inflation", "Subscribe to our newsletter",
         "delivered directly to your inbox", "Shipping rates climb again", "All rights reserved", "Opinion"],
    ))

    title = "Water cuts announced for valley farmers"
    pages.append(HtmlFixture(
        "table_layout_archive",
        "<html>" + _head("Archive: " + title) + "<body><table width='100%'><tr><td class='masthead'>"
        + "<b>Human Rights Documentation Archive</b><br><a href='/books'>Bookshop</a> | <a href='/donate'>Donate</a>"
        + "</td></tr><tr><td><table><tr><td width='20%' class='menu'><a href='/a'>Africa</a><br>"
        + "<a href='/e'>Europe</a><br><a href='/m'>Middle East</a></td><td>"
        + f"<h2>{title}</h2>" + _paragraphs(EN[:3])
        + "<p>[Source: Regional Wire, Valley City, 03Jul23]</p></td></tr></table></td></tr>"
        + "<tr><td class='footer'><small>This document has been published on 04Jul23 by the Archive. "
          "In accordance with Title 17 U.S.C. Section 107, this material is distributed without profit "
          "to those who have expressed a prior interest.</small></td></tr></table></body></html>",
        title, EN[:3],
        ["Bookshop", "Middle East", "Title 17 U.S.C."],
    ))

    title = "Mediator to meet port union and operator next week"
    pages.append(HtmlFixture(
        "wire_service_tags",
        "<html>" + _head(title) + "<body><div class='header'><span class='clock'>01:53 GMT 04.12.2020</span>"
        + "<a href='/radio'>Listen Live</a></div>"
        + f"<div class='article'><h1 class='article__title'>{title}</h1>"
        + "<div class='article__info'><span>16:48 16.03.2023</span><a class='short'>Get short URL</a></div>"
        + f"<div class='article__text'>{_paragraphs([EN[7], EN[5], EN[6]])}</div>"
        + "<div class='article__tags'><a>strike</a><a>port</a><a>labour ministry</a><a>shipping</a></div>"
        + "<p class='promo'>Never miss a story again \u2014 sign up to our Telegram channel"
        + " and we'll keep you up to speed!</p>"
        + "</div>" + _related("Related", ["Union Rejects Final Offer From Port Operator",
                                          "Shipping Lines Divert Vessels to Southern Ports",
                                          "Ministry Appoints Mediator in Dock Dispute"])
        + "<div class='comments'><a>Community standards</a><a>Discussion</a></div></body></html>",
        title, [EN[7], EN[5], EN[6]],
        ["Listen Live", "Get short URL", "sign up to our Telegram", "Union Rejects Final Offer",
         "Community standards"],
    ))

    title = "Harbour handled two million containers last year"
    pages.append(HtmlFixture(
        "blogger_br_paragraphs",
        "<html>" + _head("Only News: " + title) + "<body><div class='header'><h1><a href='/'>Only News</a></h1></div>"
        + "<div class='main'><h2 class='date-header'><span>Tuesday, March 14, 2023</span></h2>"
        + f"<div class='post'><h3 class='post-title'>{title}</h3><div class='post-body'>"
        + "<br /><br />".join(EN[4:7]) + "<br /><br /></div>"
        + "<div class='post-footer'>Posted by Editor at 10:15 <a>No comments</a> <a>Email This</a>"
        + "<a>BlogThis!</a><a>Share to Twitter</a><a>Share to Facebook</a></div>"
        + "<div class='linkwithin'>You might also like: <a>Customs reform stalls</a> <a>New cranes arrive</a>"
        + "</div><div>Blog Widget by LinkWithin</div></div></div>"
        + "<div class='sidebar'><h2>Featured Post</h2><h3><a>Fishermen protest new quotas</a></h3>"
        + "<p>Dozens of trawlers blocked the harbour entrance on Wednesday to protest against...</p>"
        + "<h2>Blog Archive</h2><ul><li>2023 (41)</li><li>2022 (118)</li></ul></div></body></html>",
        title, EN[4:7],
        ["Share to Twitter", "Blog Widget by LinkWithin", "Fishermen protest new quotas", "Blog Archive",
         "Customs reform stalls"],
    ))

    title = "Quinze \u00e9coles seront isol\u00e9es d\u2019ici \u00e0 l\u2019an prochain"
    pages.append(HtmlFixture(
        "french_news",
        "<html lang='fr'>"
        + _head(
            title + " - Le Journal de la Ville",
            '<meta property="og:title" content="' + title + '">'
            '<meta property="article:published_time" content="2023-05-09T18:05:00+02:00">',
        )
        + "<body>" + _nav(["Accueil", "Politique", "Soci\u00e9t\u00e9", "Culture"])
        + f"<article><h1>{title}</h1><p class='auteur'>Par Claire Dubois</p>" + _paragraphs(FR[:2])
        + "<p class='lire-aussi'>Lire aussi : <a>La cantine bio arrive dans trois coll\u00e8ges</a></p>"
        + _paragraphs(FR[2:])
        + "<div class='partage'><a>Partager sur Facebook</a><a>Partager sur X</a></div></article>"
        + "<div class='newsletter'><p>Abonnez-vous \u00e0 notre newsletter quotidienne</p></div>"
        + "<footer>\u00a9 Le Journal de la Ville \u2014 Tous droits r\u00e9serv\u00e9s."
        + " <a>Mentions l\u00e9gales</a></footer>"
        + "</body></html>",
        title, FR,
        ["Accueil", "La cantine bio arrive", "Partager sur Facebook", "Abonnez-vous", "Tous droits r\u00e9serv\u00e9s"],
    ))

    title = "Stadtwerke senken Strompreise zum Jahreswechsel"
    pages.append(HtmlFixture(
        "german_news",
        "<html lang='de'>" + _head(title) + "<body>"
        + "<div class='consent'><p>Wir verwenden Cookies, um Inhalte zu personalisieren.</p>"
        + "<button>Alle akzeptieren</button></div>"
        + _nav(["Startseite", "Lokales", "Wirtschaft", "Sport"])
        + f"<div class='artikel'><h1>{title}</h1>" + _paragraphs(DE[:2])
        + "<div class='ad'><span>Anzeige</span><p>Jetzt Tarif wechseln und sparen!</p></div>"
        + _paragraphs(DE[2:]) + "</div>"
        + _related("Mehr zum Thema", ["Gaspreise bleiben stabil", "Neue Ladestationen in der Innenstadt"])
        + "<footer>Impressum | Datenschutz | Kontakt</footer></body></html>",
        title, DE,
        ["Wir verwenden Cookies", "Anzeige", "Gaspreise bleiben stabil", "Impressum", "Startseite"],
    ))

    title = "Tres nuevas l\u00edneas de autob\u00fas unir\u00e1n el sur con el hospital"
    pages.append(HtmlFixture(
        "spanish_broken_markup",
        "<html><head><title>" + title + "</title><body><div id='cabecera'>" + _nav(["Inicio", "Local", "Deportes"])
        + f"<div class='noticia'><h1>{title}<h1><div class='texto'>"
        + "".join(f"<p>{p}" for p in ES[:2])
        + "<div class='publi'>Publicidad</div><p>" + ES[2]
        + "<div class='social'><a>Compartir en Facebook</a><a>Suscr\u00edbete a nuestro bolet\u00edn</a></div>"
        + "</span></td></div><footer>Todos los derechos reservados</footer></body>",
        title, ES,
        ["Publicidad", "Compartir en Facebook", "Suscr\u00edbete", "Todos los derechos reservados", "Deportes"],
    ))

    title = "Ремонт центрального моста завершат досрочно"
    pages.append(HtmlFixture(
        "russian_news",
        "<html lang='ru'>" + _head(title) + "<body>" + _nav(["Главная", "Политика", "Общество"])
        + f"<article><h1>{title}</h1>" + _paragraphs(RU[:2])
        + "<p><b>Читайте также:</b> <a>В городе откроют новый парк</a></p>"
        + _paragraphs(RU[2:])
        + "<p class='promo'>Подписывайтесь на наш Telegram-канал</p></article>"
        + "<div class='banner'>Реклама</div>"
        + "<footer>\u00a9 2023 Городские новости. Все права защищены.</footer></body></html>",
        title, RU,
        ["Подписывайтесь", "Все права защищены", "В городе откроют новый парк"],
    ))

    title = "Reservoir levels by region: what the new figures show"
    table = ("<table><tr><th>Region</th><th>Level</th></tr><tr><td>North</td><td>31 percent</td></tr>"
             "<tr><td>South</td><td>58 percent</td></tr></table>")
    pages.append(HtmlFixture(
        "sidebar_popular_and_ads",
        "<html>" + _head(title) + "<body><div class='top-ad'>Advertisement</div>"
        + "<header>" + _nav(["World", "Nation", "Climate", "Video", "Podcasts"])
        + "<a>Sign in</a><a>Subscribe</a></header>"
        + f"<div class='layout'><main><h1>{title}</h1>" + _paragraphs([EN[0], EN[3]]) + table
        + "<div class='inline-ad'>Advertisement</div>" + _paragraphs([EN[2]]) + "</main>"
        + "<aside><h3>Most Popular</h3><ol><li><a>Ten Things to Know About the Drought</a></li>"
          "<li><a>Heat Wave Breaks June Records</a></li><li><a>Why Rivers Are Running Dry</a></li></ol></aside></div>"
        + "<footer><a>About us</a> | <a>Careers</a> | <a>Terms of Service</a></footer></body></html>",
        title, [EN[0], EN[3], EN[2]],
        ["Most Popular", "Ten Things to Know About the Drought", "Terms of Service", "Podcasts", "Advertisement"],
    ))
    return pages


def _norm(text: str) -> str:
    return normalise_for_id(text)


def _assert_removed(cleaned: Cleaned, chrome: str, reason: str | None = None) -> None:
    assert _norm(chrome) not in _norm(cleaned.text), f"chrome left in text: {chrome!r}"
    matching = [b for b in cleaned.boilerplate if _norm(chrome) in _norm(b.text)]
    assert matching, f"chrome not recorded in boilerplate: {chrome!r}"
    if reason is not None:
        assert reason in {b.reason for b in matching}, (chrome, [b.reason for b in matching])


def _assert_kept(cleaned: Cleaned, sentence: str) -> None:
    assert _norm(sentence) in _norm(cleaned.text), f"body text lost: {sentence!r}"


# ---------------------------------------------------------------- plain text: the five seeds


def test_seed_000_chrome_removed_body_and_credits_kept(seed_texts: dict[str, str]) -> None:
    cleaned = clean_text(seed_texts["000"])
    assert cleaned.title == "Putin and Assad blame US-led coalition for ISIS offensive"
    assert _norm(cleaned.title) not in _norm(cleaned.text)
    _assert_removed(cleaned, "0 74", "counter")
    _assert_removed(cleaned, "- Advertisement -", "ad")
    _assert_removed(cleaned, "p.p1 {margin: 0.0px", "css")
    _assert_removed(cleaned, "span.s1 {font-kerning: none}", "css")
    _assert_removed(cleaned, "Subscribe to our newsletter", "share")
    _assert_removed(cleaned, "Sign up here to get the latest news", "share")
    _assert_removed(cleaned, "Get real time updates directly on you device", "share")
    _assert_kept(cleaned, "December 15, 2016 – Fort Russ News –")
    _assert_kept(cleaned, "RIA Novosti – translated by J. Arnoldski –")
    _assert_kept(cleaned, "ISIS terrorists began an offensive on Palmyra on December 10th.")
    _assert_kept(cleaned, "Putin said at a press conference in Tokyo.")
    _assert_kept(cleaned, "Assad asserted.")
    _assert_kept(cleaned, "were evacuated in the direction of Idlib.")
    _assert_kept(cleaned, "atrocities perpetrated and filmed by the terrorists.")
    assert cleaned.text.startswith("December 15, 2016")


def test_seed_001_title_after_dateline_and_multilingual_blocks(seed_texts: dict[str, str]) -> None:
    cleaned = clean_text(seed_texts["001"])
    assert cleaned.title == "Russia: US Directly Supports ISIL Terrorists in Syria"
    assert cleaned.header == ["Tuesday, November 14, 2017"]
    _assert_kept(cleaned, "Tuesday, November 14, 2017")
    _assert_kept(cleaned, "The US refused to conduct airstrikes over the leaving ISIL convoy.")
    _assert_kept(cleaned, "advance US interests in the Middle East,\" the ministry said.")
    # French and German blocks, quotes included
    _assert_kept(cleaned, "Le ministère russe de la Défense a qualifié de fait avéré le refus des États-Unis")
    _assert_kept(cleaned, "a indiqué le sénateur.")
    _assert_kept(cleaned, "Laut Klinzewitsch können die Handlungen der USA auf die Gründung eines Separatstaates")
    _assert_kept(cleaned, "zitiert der Pressedienst von Klinzewitsch den Parlamentarier.")
    _assert_removed(cleaned, "Only News")
    _assert_removed(cleaned, "Featured Post", "related_links")
    _assert_removed(cleaned, "There is no difference between 'moderate' rebels", "related_links")
    _assert_removed(cleaned, "Tulsi Gabbard on Wednesday revealed")
    _assert_removed(cleaned, "Blog Widget by LinkWithin")
    paragraphs = cleaned.text.split("\n\n")
    assert all(p == p.strip() and "  " not in p for p in paragraphs)


def test_seed_002_masthead_footer_out_subheadings_and_source_in(seed_texts: dict[str, str]) -> None:
    cleaned = clean_text(seed_texts["002"])
    assert cleaned.title == "US-led coalition colluding with IS instead of fighting terrorism – Defense Ministry"
    assert [_norm(line) for line in cleaned.header] == [
        _norm("Equipo Nizkor"), _norm("Bookshop | Donate"), _norm("Derechos | Equipo Nizkor")
    ]
    _assert_removed(cleaned, "Equipo Nizkor")
    _assert_removed(cleaned, "Bookshop | Donate", "nav")
    _assert_removed(cleaned, "Derechos | Equipo Nizkor", "nav")
    _assert_removed(cleaned, "Bookshop Donate Radio Nizkor")
    _assert_removed(cleaned, "Title 17 U.S.C. Section 107", "legal")
    _assert_kept(cleaned, "US-led coalition aviation impedes Syrian troops' war on terror")
    _assert_kept(cleaned, "Situation on the border")
    _assert_kept(cleaned, "[Source: Itar Tass, Moscow, 09Jun17]")
    _assert_kept(cleaned, "Sergey Surovikin, said.")
    _assert_kept(cleaned, "the Russian general said.")
    assert cleaned.text.endswith("[Source: Itar Tass, Moscow, 09Jun17]")


def test_seed_003_no_title_crawl_stamp_related_list_and_tags(seed_texts: dict[str, str]) -> None:
    cleaned = clean_text(seed_texts["003"])
    assert cleaned.title is None
    _assert_removed(cleaned, "01:53 GMT04 December 2020", "crawl_stamp")
    stamp = [b for b in cleaned.boilerplate if b.reason == "crawl_stamp"]
    assert stamp[0].text == "01:53 GMT04 December 2020"
    _assert_removed(cleaned, "Listen Live")
    _assert_removed(cleaned, "Get short URL")
    _assert_removed(cleaned, "Never miss a story again", "share")
    _assert_removed(cleaned, "Assad: US Lifting Ban on Arms Supplies to Syrian Rebels", "related_links")
    _assert_removed(cleaned, "Pain in Palmyra: What Syria Should Expect", "related_links")
    _assert_removed(cleaned, "Operation Inherent Resolve, Stephen Townsend, Bashar al-Assad", "tags")
    _assert_removed(cleaned, "Community standards")
    related = next(b for b in cleaned.boilerplate if b.reason == "related_links")
    assert len(related.text.split("\n")) == 10
    assert cleaned.text.startswith("The situation in Palmyra is a result of discordant actions")
    _assert_kept(cleaned, "is purely symbolic.")
    _assert_kept(cleaned, "\"pose a threat to the coalition\".")


def test_seed_004_ad_and_section_label_out_credit_and_timestamp_in(seed_texts: dict[str, str]) -> None:
    cleaned = clean_text(seed_texts["004"])
    assert cleaned.title == "US Coalition Bombs Syrian Army, Enhances Terrorists in Palmyra - Russian MoD"
    _assert_removed(cleaned, "The Largest Security-Cleared Career Network for Defense and Intelligence Jobs")
    _assert_removed(cleaned, "Weapons of Mass Destruction (WMD)")
    _assert_removed(cleaned, "Join the mailing list", "share")
    _assert_kept(cleaned, "Sputnik News")
    _assert_kept(cleaned, "16:48 09.06.2017(updated 21:50 09.06.2017)")
    _assert_kept(cleaned, "Rudskoy said that claims of the Syrian army's alleged threat")
    _assert_kept(
        cleaned,
        "The United States and Russia signed the bilateral memorandum of understanding in October 2015 "
        "to ensure their flight safety during combat missions over Syria.",
    )
    assert cleaned.text.endswith("combat missions over Syria.")


def test_seeds_every_line_is_kept_removed_or_title(seed_texts: dict[str, str]) -> None:
    """Nothing silently disappears: each input line is in the text, the boilerplate or the title."""
    for text in seed_texts.values():
        cleaned = clean_text(text)
        accounted = _norm(" ".join([cleaned.text, cleaned.title or "", *(b.text for b in cleaned.boilerplate)]))
        for line in text.splitlines():
            assert _norm(line) in accounted, line


def test_clean_text_speed_on_seeds(seed_texts: dict[str, str]) -> None:
    texts = list(seed_texts.values())
    clean_text(texts[0])
    start = time.process_time()
    for _ in range(40):
        for text in texts:
            clean_text(text)
    rate = 40 * len(texts) / (time.process_time() - start)
    assert rate > 700, f"{rate:.0f} docs/s"  # ~2,000+ docs/s unloaded; loose floor for shared CI runners


# ---------------------------------------------------------------- plain text: general rules


def test_paragraphs_rejoin_hard_wrapped_lines_and_strip_indentation() -> None:
    text = (
        "City council approves new budget for schools\n\n"
        "    The council voted on Tuesday to raise the education budget by a tenth,\n"
        "    a decision the mayor called overdue.\n\n"
        "\tTeachers welcomed the vote but said the money would not cover new hires.\n"
    )
    cleaned = clean_text(text)
    assert cleaned.title == "City council approves new budget for schools"
    assert cleaned.text == (
        "The council voted on Tuesday to raise the education budget by a tenth, a decision the mayor "
        "called overdue.\n\nTeachers welcomed the vote but said the money would not cover new hires."
    )


def test_short_closing_sentence_kept_menu_after_it_removed() -> None:
    text = (
        "Harbour strike ends after two days\n\n" + "\n\n".join(EN[4:7])
        + "\n\nHe declined to comment.\n\nHome | Contact\n\nOur Team\n"
    )
    cleaned = clean_text(text)
    assert cleaned.text.endswith("He declined to comment.")
    _assert_removed(cleaned, "Home | Contact", "nav")
    _assert_removed(cleaned, "Our Team", "nav")


def test_subheadings_and_lists_inside_the_body_are_kept() -> None:
    text = (
        f"{EN[0]}\n\nWhat Happens Next\n\n{EN[1]}\n\nThe plan includes:\n- cuts for farms\n- meters for homes\n"
        f"- new pipelines\n\n{EN[2]}\n\n{EN[3]}"
    )
    cleaned = clean_text(text)
    assert cleaned.boilerplate == []
    for kept in ("What Happens Next", "- cuts for farms", "- new pipelines", EN[3]):
        _assert_kept(cleaned, kept)


def test_lexicon_works_in_other_languages() -> None:
    body = " ".join(EN[:3])
    text = "\n\n".join(
        [
            body,
            "Abonnez-vous à notre newsletter",
            "Anzeige",
            "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.",
            "Suscríbete a nuestro boletín",
            "Подписывайтесь на наш Telegram-канал",
            EN[3],
            "Читайте также",
            "Новости дня",
        ]
    )
    cleaned = clean_text(text)
    for chrome in ("Abonnez-vous", "Anzeige", "Wir verwenden Cookies", "Suscríbete", "Подписывайтесь",
                   "Читайте также", "Новости дня"):
        _assert_removed(cleaned, chrome)
    _assert_kept(cleaned, EN[3])


def test_body_sentences_with_lexicon_words_are_kept() -> None:
    """Phrases count only in short lines: a long sentence mentioning a newsletter or ads stays."""
    sentence = (
        "The ministry said it would sign up for the regional advertisement scheme and publish a newsletter "
        "every month, a move critics called an expensive way to share information that is already public."
    )
    cleaned = clean_text(EN[0] + "\n\n" + sentence + "\n\n" + EN[1])
    _assert_kept(cleaned, sentence)


def test_multiline_css_and_inline_read_more_removed() -> None:
    text = (
        f"{EN[0]}\n\n.article-body {{\n  margin: 0 auto;\n  font-size: 14px;\n}}\n\n"
        f"Read more: Valley farmers brace for a dry summer\n\n{EN[1]}\n\n{EN[2]}"
    )
    cleaned = clean_text(text)
    _assert_removed(cleaned, "margin: 0 auto;", "css")
    _assert_removed(cleaned, ".article-body {", "css")
    _assert_removed(cleaned, "Read more: Valley farmers brace", "related_links")
    for paragraph in EN[:3]:
        _assert_kept(cleaned, paragraph)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*EN[:3], "Subscribe to our newsletter", "0 12", "Home | News", "p.a {x: 1}",
                                 "Read also", "  ", "", "Title Of Some Other Story Here", "by John Doe",
                                 "March 3, 2023", "a{", "}", "«", "ünïcödé wörds here"]), max_size=30),
       st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_clean_text_never_invents_text(pieces: list[str], separator: str) -> None:
    """Whatever the layout, the text only holds words of the input, and nothing raises."""
    source = separator.join(pieces)
    cleaned = clean_text(source)
    source_words = set(source.split())
    assert set(cleaned.text.split()) <= source_words
    assert "\n\n\n" not in cleaned.text
    assert cleaned.text == cleaned.text.strip()


def test_empty_and_whitespace_text() -> None:
    assert clean_text("").text == ""
    assert clean_text(" \n\u00a0\n\t").text == ""
    assert clean_text("").title is None


def test_adversarial_long_lines_are_linear() -> None:
    nasty = ("a{" * 50_000) + "\n" + ("| x " * 100_000) + "\n" + ("1 " * 200_000) + "\n" + (", a" * 100_000)
    start = time.perf_counter()
    clean_text(nasty)
    assert time.perf_counter() - start < 5.0


def _outlet_page(rng: random.Random, index: int) -> str:
    body = "\n\n".join(rng.sample(EN, 4))
    return (
        "Valley Courier — independent news since 1998\n"
        "Weather: 24°C sunny\n\n"
        f"Story number {index} about the valley and its water\n\n"
        f"{body}\n\n"
        "Valley Courier is a member of the Regional Press Council\n"
        "Write to the editors at the town hall square\n"
    )


def test_repeated_lines_removed_across_outlet_pages() -> None:
    rng = random.Random(3)
    pages = [_outlet_page(rng, i) for i in range(20)]
    index = RepeatedLines()
    for page in pages:
        index.add("courier", page)
    repeated = index.repeated("courier")
    assert line_fingerprint("Valley Courier is a member of the Regional Press Council") in repeated
    assert line_fingerprint("  valley courier is a member of the regional press council ") in repeated
    assert line_fingerprint(EN[0]) in repeated  # 4 of 8 paragraphs per page: every one is in >= 30 %
    assert index.repeated("unknown") == frozenset()
    cleaned = clean_text(pages[0], repeated=frozenset(
        fp for fp in repeated if fp != line_fingerprint(EN[0]) and fp not in {line_fingerprint(p) for p in EN}
    ))
    _assert_removed(cleaned, "Valley Courier is a member of the Regional Press Council", "repeated_line")
    _assert_removed(cleaned, "Weather: 24°C sunny", "repeated_line")
    assert cleaned.title == "Story number 0 about the valley and its water"


def test_repeated_lines_threshold_needs_three_docs_and_thirty_percent() -> None:
    footer = line_fingerprint("shared footer line")
    index = RepeatedLines()
    for i in range(10):
        index.add("g", f"unique line number {i}" + ("\nshared footer line" if i < 2 else ""))
    assert footer not in index.repeated("g")  # 2 of 10 docs
    index.add("g", "shared footer line")
    assert footer not in index.repeated("g")  # 3 of 11 docs: below ceil(30 % of 11) = 4
    index.add("g", "shared footer line")
    assert footer not in index.repeated("g")  # the same page again counts once
    index.add("g", "another page\nshared footer line")
    assert footer in index.repeated("g")  # 4 of 12 docs
    small = RepeatedLines()
    for k in range(2):
        small.add("s", f"page {k}\nshared footer line")
    assert footer not in small.repeated("s")  # 100 % of 2 docs, but fewer than 3
    small.add("s", "shared footer line")
    assert footer in small.repeated("s")


def test_repeated_lines_counts_a_line_once_per_document() -> None:
    index = RepeatedLines()
    index.add("g", "same line\nsame line\nsame line")
    index.add("g", "other")
    assert index.repeated("g") == frozenset()


def test_repeated_lines_page_in_two_groups_counts_in_both() -> None:
    """pass 1 adds a page to its folder group and its masthead group; the second add reuses the hashes."""
    pages = [f"Courier masthead\nStory {i} about the harbour and its ships\nShared footer" for i in range(4)]
    both, alone = RepeatedLines(), RepeatedLines()
    for page in pages:
        both.add("dir", page)
        both.add("masthead", page)
        alone.add("masthead", page)
    assert both.repeated("dir") == both.repeated("masthead") == alone.repeated("masthead")
    assert line_fingerprint("shared footer") in both.repeated("dir")
    assert line_fingerprint("Story 1 about the harbour and its ships") not in both.repeated("dir")


# Characters the fast identity path must treat exactly as the reference definition: the whole mapping
# table, other whitespace, combining marks (NFC), case folds that change length, line-break characters.
_IDENTITY_ALPHABET = (
    "‘’‚‛′`´“”„‟″«»‐‑‒–—―−…\u00a0\u2007\u202f\u2000\u2009\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad"
    " \t\n\r\x85\x1c\u2028aZéE\u0301ßİſ'\"-.x\ud800"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_IDENTITY_ALPHABET, max_size=30) | st.text(max_size=30))
def test_normalise_for_id_matches_its_reference_definition(line: str) -> None:
    """Replacing mapped characters one by one and `str.split` must equal NFC + translate + regex spaces."""
    import re
    import unicodedata

    from echotrace.clean.normalise import _REPLACEMENT
    from echotrace.clean.text import _hash64

    table = str.maketrans(_REPLACEMENT)
    reference = re.sub(r"\s+", " ", unicodedata.normalize("NFC", line).translate(table)).strip().casefold()
    assert normalise_for_id(line) == reference
    assert line_fingerprint(line) == _hash64(reference)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \r\n\u2028\u2029\x85\x0b\x0c\x1c\t\u00a0\u200b\u2009\ufeff", max_size=20))
def test_line_splitting_keeps_offsets_like_the_break_pattern(text: str) -> None:
    from echotrace.clean.text import _LINE_BREAK, _split_lines

    breaks = [len(m.group()) for m in _LINE_BREAK.finditer(text)]
    assert _split_lines(text) == list(zip(_LINE_BREAK.split(text), [*breaks, 0], strict=True))


def test_a_footer_glued_to_the_text_leaves_it_when_the_outlet_repeats_it() -> None:
    """Exports that lost the layout glue an outlet's footer to the last paragraph: the closing words that
    many of the outlet's pages share leave the text as "repeated_tail"; a credit at the end stays."""
    footer = "Community standards Discussion Comment via Facebook Comment via Sputnik News"
    places = ["Homs", "Hama", "Idlib", "Raqqa"]
    pages = [f"Report from {places[i]}: {EN[i % 3]} Tags {tag} {footer}"
             for i, tag in enumerate(["Syria", "Aleppo Russia", "Damascus", "UN"])]
    credited = [f"Brief {i} from {places[i]}. {EN[i % 3]} Story {i} ends here. Source: Itar Tass" for i in range(4)]
    index = RepeatedLines()
    for page in pages + credited:
        index.add("g", page)
    cleaned = clean_text(pages[0], index.repeated("g"))
    assert cleaned.text.endswith("Tags Syria") and footer not in cleaned.text
    assert cleaned.text.startswith("Report from Homs")
    assert next(b for b in cleaned.boilerplate if b.reason == "repeated_tail").text == footer
    assert clean_text(credited[0], index.repeated("g")).text.endswith("Source: Itar Tass")
    bulletins = [f"Rain is expected across the northern valleys on day {i}, forecasters said on Monday, with winds "
                 "from the west." for i in range(5)]
    template = RepeatedLines()
    for page in bulletins:
        template.add("w", page)
    assert clean_text(bulletins[0], template.repeated("w")).text == bulletins[0]  # the outlet's template stays


def test_a_long_footer_leaves_at_a_sentence_and_takes_the_related_headlines_glued_before_it() -> None:
    """A footer longer than the longest edge but one leaves from the first sentence start within the shared
    words; the other articles' headlines between the credit and the footer leave after their marker."""
    footer = ("A picture is worth a thousand words. Follow the Courier on every network. " + " ".join(
        f"Section{i} Page{i} Contact{i} Careers{i}" for i in range(24)) + " Privacy Policy Cookie Policy")
    headlines = ["Dam talks stall again", "Ferry strike enters third day", "Orchard owners sue the authority",
                 "Harbour fire contained overnight", "Council votes on the bypass"]
    pages = [f"Report {i} from the valley. {' '.join(EN[i % 3:] + EN[:i % 3])} Source Courier and agencies "
             f"Related News {' '.join(headlines[i:] + headlines[:i])} {footer}" for i in range(5)]
    index = RepeatedLines()
    for page in pages:
        index.add("g", page)
    cleaned = clean_text(pages[0], index.repeated("g"))
    assert cleaned.text.endswith("Source Courier and agencies")
    reasons = {b.reason: b.text for b in cleaned.boilerplate}
    assert reasons["repeated_tail"].startswith("Follow the Courier") and reasons["repeated_tail"].endswith("Policy")
    assert reasons["related_links"].startswith("Related News Dam talks")
    assert "A picture is worth a thousand words." in reasons["related_links"]
    boxed = [page.replace("Source Courier and agencies Related News", "Related News").replace(
        footer, f"The minister said the dam would be repaired by May. {footer}") for page in pages]
    boxes = RepeatedLines()
    for page in boxed:
        boxes.add("g", page)
    cleaned = clean_text(boxed[0], boxes.repeated("g"))
    assert "Related News Dam talks" in cleaned.text  # the article goes on after its box of links


def test_a_records_title_glued_to_its_text_leaves_it_where_a_sentence_starts_after_it() -> None:
    """An export that lost the layout glues the headline to the body; a lead sentence the title was cut from
    stays whole."""
    title = "Shelling near the valley dam kills nine Monitor"
    glued = clean_text(f"{title} At least nine people were killed on Tuesday.\n\nRescuers searched the banks.",
                       given_title=title)
    assert glued.text.startswith("At least nine people were killed")
    assert [(b.reason, b.text) for b in glued.boilerplate] == [("title_echo", title)]
    dated = clean_text(f"Tuesday 4 Apr 2017 {title}: AFP At least nine people died.", given_title=title)
    assert dated.text == "Tuesday 4 Apr 2017\n\nAFP At least nine people died."  # the dateline stays
    lead = "Shelling near the valley dam kills nine on the eastern bank, the council said."
    assert clean_text(lead, given_title="Shelling near the valley dam kills nine").text == lead
    for text in (f"Reports say {title} At least nine died.", title):  # not at the start; nothing but the title
        assert clean_text(text, given_title=title).text == text
    assert clean_text("Dam talks resume Officials met.", given_title="Dam talks resume").text.startswith("Dam")


def test_a_first_line_the_page_name_spells_is_the_headline_even_with_a_full_stop() -> None:
    body = "VARO (VNA) — The ferry to the islands resumed service on Tuesday after a week of storms, officials said."
    text = f"Ferry to the 3 islands resumes after storms.\n\n{body}"
    for name in ("courier_2024-03-02_ferry-to-the-islands-resumes-af", "ferry-to-the-islands"):
        cleaned = clean_text(text, page_name=name)
        assert cleaned.title == "Ferry to the 3 islands resumes after storms." and cleaned.text == body
    assert clean_text(text, page_name="courier_2024-03-02_harbour-fire").title is None
    assert clean_text(body, page_name="varo-vna-the-ferry").title is None  # the only line: the text itself
    lead = f"{body} More sailings follow.\n\nThe harbour master thanked the crews."
    assert clean_text(lead, page_name="varo-vna-the-ferry-to-the-islands").text == lead  # a lead runs longer


def test_a_dateline_glued_to_the_first_sentence_is_a_paragraph_of_its_own() -> None:
    for dateline in ("25 April 2017", "Monday 11 January 2016 18:41", "Published July 21 2015", "04-09-2014"):
        text = f"{dateline} Airstrikes on a village near the dam killed four people."
        assert clean_text(text).text == f"{dateline}\n\nAirstrikes on a village near the dam killed four people."
    for text in ("2016 Saw a rise in attacks across the whole valley.", "May 2017 was the deadliest month on record.",
                 "12 people were killed on Monday in the town.", "On Tuesday 4 April 2017 the dam gave way."):
        assert clean_text(text).text == text


def test_credit_and_dateline_lines_are_protected_from_repeated_line_removal() -> None:
    from echotrace.clean.text import _few_alphabetic_words, _is_credit_line

    for credit in ("translated by J. Arnoldski", "Übersetzung: Anna Weber", "Source: Itar Tass, Moscow",
                   "— Quelle: dpa", "(Reporting by Jane Doe; editing by Tom Roe)", "By Jane Doe", "Перевод: Иван"):
        assert _is_credit_line(credit), credit
    for line in ("The bypass opened in 2019.", "The source of the river", "Standby generators arrived"):
        assert not _is_credit_line(line), line
    body = "The harbour master said the ferry would resume service " * 3
    assert not _few_alphabetic_words(body, 12)
    assert _few_alphabetic_words("Posted on December 15, 2016 at 10:30 by Jane Doe | 12 comments", 12)
    assert _few_alphabetic_words("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 a b", 12)
    footer = "Published December 15, 2016 by the Valley Courier\n"
    pages = [f"Story {i} about the valley and its water supply this week\n\n{EN[i % 3]}\n\n{footer}" for i in range(5)]
    index = RepeatedLines()
    for page in pages:
        index.add("g", page)
    cleaned = clean_text(pages[0], index.repeated("g"))
    assert footer.strip() in cleaned.text  # repeated on every page, but a dateline


# ---------------------------------------------------------------- HTML


@pytest.mark.parametrize("page", fixtures(), ids=lambda p: p.name)
def test_html_fixture_body_in_title_and_chrome_out(page: HtmlFixture) -> None:
    cleaned = clean_html(page.html, url="https://news.example/article")
    assert cleaned.title == page.title
    text = _norm(cleaned.text)
    assert _norm(page.title) not in text
    for paragraph in page.body:
        assert _norm(paragraph) in text, paragraph[:60]
    for chrome in page.chrome:
        assert _norm(chrome) not in text, chrome
    assert "\n\n\n" not in cleaned.text


def test_html_metadata_from_json_ld_and_meta() -> None:
    page = next(p for p in fixtures() if p.name == "news_article_jsonld")
    meta = html_metadata(page.html, url="https://harbour.example/x?utm=1")
    assert meta["title"] == page.title
    assert meta["date"] == "2023-03-16T09:30:00+01:00"
    assert meta["date_kind"] == "published"
    assert meta["sitename"] == "Harbour Daily"
    assert meta["author"] == "Jonas Weller"
    assert meta["url"] == "https://harbour.example/news/port-strike"


def test_html_metadata_modified_only_is_updated() -> None:
    html = (
        "<html><head><title>Budget vote | Gazette</title><meta property='og:site_name' content='Gazette'>"
        "<meta property='article:modified_time' content='2021-02-03T10:00:00Z'></head><body></body></html>"
    )
    meta = html_metadata(html)
    assert meta["date_kind"] == "updated"
    assert meta["date"].startswith("2021-02-03T10:00:00")
    assert meta["title"] == "Budget vote"
    assert "author" not in meta


def test_html_headline_with_site_suffix_is_title_not_text() -> None:
    html = (
        "<html><head><meta property='og:title' content='Port strike ends after two days | Harbour Daily'>"
        "<meta property='og:site_name' content='Harbour Daily'></head><body><article>"
        f"<h1>Port strike ends after two days</h1>{''.join(f'<p>{p}</p>' for p in EN[4:7])}</article></body></html>"
    )
    cleaned = clean_html(html)
    assert cleaned.title == "Port strike ends after two days"
    assert not cleaned.text.startswith("Port strike ends")
    assert _norm(EN[4]) in _norm(cleaned.text)


def test_a_title_loses_its_outlets_name_at_either_end() -> None:
    """Export titles carry the site: "… | Jordan Times", "National News Agency - …"; a dash inside a
    headline that sets off no site name stays."""
    jordan = ("The Jordan Times", "Jordan Times")
    assert strip_site_name("Air strikes kill 22 | Jordan Times", jordan) == "Air strikes kill 22"
    assert strip_site_name("National News Agency - Blasts kill 18", ["National News Agency"]) == "Blasts kill 18"
    assert strip_site_name("Trump - Clinton debate draws a record", jordan) == "Trump - Clinton debate draws a record"
    assert strip_site_name("Jordan Times", jordan) == "Jordan Times"
    assert strip_site_name(None, jordan) is None


def test_a_titles_parts_its_outlet_repeats_leave_it() -> None:
    """Sections and site names an outlet sets off in every title ("- Region - World - Ahram Online"), learnt
    from the outlet's titles: what they do not share stays, and one part at least."""
    titles = ["Air strikes kill 22 - Region - World - Ahram Online", "Homs blast - Region - World - Ahram Online",
              "Trump - Clinton debate - Region - World - Ahram Online", "Talks resume - Egypt - Ahram Online"]
    index = RepeatedLines()
    for k, title in enumerate(titles):
        index.add("g", f"Body of page {k}.", title)
    repeated = index.repeated("g")
    assert strip_repeated_title_parts(titles[0], repeated) == "Air strikes kill 22"
    assert strip_repeated_title_parts(titles[2], repeated) == "Trump - Clinton debate"
    assert strip_repeated_title_parts(titles[3], repeated) == "Talks resume - Egypt"
    assert strip_repeated_title_parts("Ahram Online", repeated) == "Ahram Online"
    assert strip_repeated_title_parts("Air strikes kill 22", repeated) == "Air strikes kill 22"


def test_html_broken_markup_keeps_text() -> None:
    html = "<html><body><div><p>" + EN[0] + "<p><b>" + EN[1] + "</i></div></div></span><p>" + EN[2]
    cleaned = clean_html(html)
    for paragraph in EN[:3]:
        assert _norm(paragraph) in _norm(cleaned.text)


def test_html_deeply_nested_does_not_crash() -> None:
    body = "<p>" + " ".join(EN[:3]) + "</p>"
    for html in (
        "<html><body>" + "<div>" * 10_000 + body + "</div>" * 10_000 + "</body></html>",
        "<html><body>" + "<div><span>" * 10_000 + body,
    ):
        start = time.perf_counter()
        cleaned = clean_html(html)
        assert _norm(EN[1]) in _norm(cleaned.text)
        assert time.perf_counter() - start < 10
        html_metadata(html)


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "<html><body></body></html>",
                                  "<html><body><script>var a = 1;</script><style>p{}</style></body></html>"])
def test_html_empty_bodies_give_empty_text(html: str) -> None:
    cleaned = clean_html(html)
    assert cleaned.text == ""
    assert isinstance(html_metadata(html), dict)


def test_html_huge_page_is_bounded() -> None:
    html = "<html><body>" + ("<p>" + EN[0] + "</p>") * 15_000 + "</body></html>"  # ~3.5 MB
    start = time.perf_counter()
    cleaned = clean_html(html)
    assert _norm(EN[0]) in _norm(cleaned.text)
    assert time.perf_counter() - start < 15


# ---------------------------------------------------------------- identity


def test_doc_id_stable_under_whitespace_quote_dash_case_variants() -> None:
    base = "“We will not retreat,” the minister said — adding: ‘never’.\n\nThe talks resume Monday."
    variants = [
        "\"We will not retreat,\" the minister said - adding: 'never'. The talks resume Monday.",
        "  “We will not  retreat,”\u00a0the minister said – adding: ‘never’.\nThe talks resume Monday.  ",
        "\u201cWE WILL NOT RETREAT,\u201d THE MINISTER SAID \u2014 ADDING: \u2018NEVER\u2019. THE TALKS RESUME MONDAY.",
        "“We will not retreat,” the minister said — adding: ‘never’.\u200b\n\nThe talks resume Monday.",
        "“We will not retreat,” the minister said — adding: ‘never’.\n\nThe talks resume Monday.".replace(
            "e\u0301", "é"
        ),
    ]
    doc_id = make_doc_id(base)
    assert len(doc_id) >= 16 and all(c in "0123456789abcdef" for c in doc_id)
    assert all(make_doc_id(v) == doc_id for v in variants)
    assert make_doc_id("Café") == make_doc_id("Cafe\u0301")  # NFC


def test_doc_id_differs_for_different_texts() -> None:
    ids = {make_doc_id(text) for text in EN}
    assert len(ids) == len(EN)
    assert make_doc_id("The talks resume Monday.") != make_doc_id("The talks resume Tuesday.")
