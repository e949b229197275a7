"""Synthetic multilingual news corpus with planted links and ground truth, for benchmarks.

Usage: python bench/generate.py N OUT_DIR [--seed S] [--formats jsonl,txt,html] [--words W]

Why synthetic: benchmarks need 100k+ documents whose copies, reuses, translations, stories,
narratives and quotes are known exactly, which no real corpus gives us. Every article body is a
*plan* (template ids + slot values) rendered in one language, so a planted translation is the same
plan rendered in another language, and a paraphrase is the plan rendered with the other template
variant and a shuffled sentence order. Only seeded `random.Random` is used: same seed, same bytes.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import resource
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

LANGS = ("en", "fr", "de", "es")
LINK_KINDS = ("exact_copy", "near_copy", "reuse", "paraphrase", "translation")
# How each planted kind shows up in the public `doc_links.kind` vocabulary.
SCHEMA_KIND = {
    "exact_copy": "duplicate",
    "near_copy": "duplicate",
    "reuse": "reuse",
    "paraphrase": "translation",
    "translation": "translation",
}
RECORDS_PER_JSONL = 10_000

# ---------------------------------------------------------------- vocabularies
EVENTS: dict[str, dict[str, str]] = {
    "flood": {"en": "the floods", "fr": "les inondations", "de": "das Hochwasser", "es": "las inundaciones"},
    "attack": {"en": "the bombing", "fr": "l'attentat", "de": "der Anschlag", "es": "el atentado"},
    "storm": {"en": "the storm", "fr": "la tempête", "de": "der Sturm", "es": "el temporal"},
    "fire": {"en": "the forest fire", "fr": "l'incendie de forêt", "de": "der Waldbrand",
             "es": "el incendio forestal"},
    "earthquake": {"en": "the earthquake", "fr": "le séisme", "de": "das Erdbeben", "es": "el terremoto"},
    "explosion": {"en": "the factory explosion", "fr": "l'explosion de l'usine", "de": "die Explosion in der Fabrik",
                  "es": "la explosión en la fábrica"},
}
# German needs the dative after "von".
DATIVE_DE = {"flood": "dem Hochwasser", "attack": "dem Anschlag", "storm": "dem Sturm", "fire": "dem Waldbrand",
             "earthquake": "dem Erdbeben", "explosion": "der Explosion in der Fabrik"}
WEEKDAYS = {
    "en": ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("am Montag", "am Dienstag", "am Mittwoch", "am Donnerstag", "am Freitag", "am Samstag", "am Sonntag"),
    "es": ("el lunes", "el martes", "el miércoles", "el jueves", "el viernes", "el sábado", "el domingo"),
}
ROLES = {
    "minister": {"en": "Interior Minister", "fr": "le ministre de l'Intérieur", "de": "Innenminister",
                 "es": "el ministro del Interior"},
    "mayor": {"en": "Mayor", "fr": "le maire", "de": "Bürgermeister", "es": "el alcalde"},
    "general": {"en": "General", "fr": "le général", "de": "General", "es": "el general"},
    "spokesman": {"en": "police spokesman", "fr": "le porte-parole de la police", "de": "Polizeisprecher",
                  "es": "el portavoz de la policía"},
}
# Groups: canonical name per language, acronym, short form per language (all are aliases).
GROUPS: tuple[tuple[dict[str, str], str, dict[str, str]], ...] = (
    ({"en": "Iron Wolves", "fr": "Loups de Fer", "de": "Eiserne Wölfe", "es": "Lobos de Hierro"}, "IW",
     {"en": "the Wolves", "fr": "les Loups", "de": "die Wölfe", "es": "los Lobos"}),
    ({"en": "Black Banner", "fr": "Bannière Noire", "de": "Schwarzes Banner", "es": "Estandarte Negro"}, "BB",
     {"en": "the Banner", "fr": "la Bannière", "de": "das Banner", "es": "el Estandarte"}),
    ({"en": "Grey Dawn", "fr": "Aube Grise", "de": "Graue Morgenröte", "es": "Alba Gris"}, "GD",
     {"en": "the Dawn", "fr": "l'Aube", "de": "die Morgenröte", "es": "el Alba"}),
    ({"en": "Free Highlands Movement", "fr": "Mouvement des Hautes Terres libres", "de": "Bewegung Freies Hochland",
      "es": "Movimiento Tierras Altas Libres"}, "FHM",
     {"en": "the Movement", "fr": "le Mouvement", "de": "die Bewegung", "es": "el Movimiento"}),
)
ALLIANCES = (
    {"en": "the Eastern Pact", "fr": "le Pacte de l'Est", "de": "der Ostpakt", "es": "el Pacto del Este"},
    {"en": "the Coastal League", "fr": "la Ligue côtière", "de": "die Küstenliga", "es": "la Liga Costera"},
)
SYLLABLES = ("va", "lor", "ka", "ren", "mi", "sa", "tor", "bel", "an", "dra", "os", "vik", "mar", "te",
             "lin", "ga", "ro", "sel", "du", "ne", "cas", "hol", "ber", "quin")
FIRST_NAMES = ("Ana", "Boris", "Clara", "Dario", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Karla",
               "Luca", "Marta", "Nils", "Olga", "Pavel", "Rosa", "Stefan", "Tilda", "Viktor")

# Body templates: id -> language -> (variant A, variant B). Variant B is the paraphrase.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "lead": {
        "en": ("{n1} people were affected by {ev} in {place} {day}, officials said.",
               "Officials said {day} that {ev} in {place} had affected {n1} people."),
        "fr": ("{n1} personnes ont été touchées par {ev} à {place} {day}, selon les autorités.",
               "Les autorités ont indiqué {day} que {n1} personnes avaient été touchées par {ev} à {place}."),
        "de": ("Von {ev_dat} in {place} waren {day} {n1} Menschen betroffen, teilten die Behörden mit.",
               "Die Behörden teilten {day} mit, {n1} Menschen in {place} seien von {ev_dat} betroffen."),
        "es": ("{n1} personas se vieron afectadas por {ev} en {place} {day}, según las autoridades.",
               "Las autoridades informaron {day} de que {n1} personas se vieron afectadas por {ev} en {place}."),
    },
    "toll": {
        "en": ("At least {n2} people were injured and {n3} had to leave their homes.",
               "Some {n3} residents were forced out of their homes, and at least {n2} were hurt."),
        "fr": ("Au moins {n2} personnes ont été blessées et {n3} ont dû quitter leur domicile.",
               "Quelque {n3} habitants ont dû partir de chez eux, et au moins {n2} ont été blessés."),
        "de": ("Mindestens {n2} Menschen wurden verletzt, {n3} mussten ihre Wohnungen verlassen.",
               "Rund {n3} Bewohner mussten ihre Häuser verlassen, mindestens {n2} wurden verletzt."),
        "es": ("Al menos {n2} personas resultaron heridas y {n3} tuvieron que abandonar sus casas.",
               "Unos {n3} vecinos tuvieron que dejar sus hogares y al menos {n2} sufrieron heridas."),
    },
    "official": {
        "en": ("{role} {person} said that emergency teams had been sent to {place}.",
               "Emergency teams have been deployed to {place}, according to {role} {person}."),
        "fr": ("Selon {role} {person}, des équipes de secours ont été envoyées à {place}.",
               "{person}, {role}, a affirmé que des équipes de secours avaient été dépêchées à {place}."),
        "de": ("{role} {person} sagte, Rettungsteams seien nach {place} geschickt worden.",
               "Nach Angaben von {role} {person} wurden Rettungsteams nach {place} entsandt."),
        "es": ("{role} {person} aseguró que se habían enviado equipos de emergencia a {place}.",
               "Según {role} {person}, varios equipos de emergencia fueron enviados a {place}."),
    },
    "roads": {
        "en": ("The main road to {place2} was closed in {n4} places and trains were cancelled.",
               "Trains were cancelled and the main road towards {place2} was cut in {n4} places."),
        "fr": ("La route principale vers {place2} a été coupée à {n4} endroits et les trains ont été annulés.",
               "Les trains ont été supprimés et la route vers {place2} a été fermée à {n4} endroits."),
        "de": ("Die Hauptstraße nach {place2} wurde an {n4} Stellen gesperrt, Züge fielen aus.",
               "Züge fielen aus, und die Straße Richtung {place2} war an {n4} Stellen blockiert."),
        "es": ("La carretera principal hacia {place2} quedó cortada en {n4} puntos y se cancelaron los trenes.",
               "Se suspendieron los trenes y la carretera hacia {place2} se cortó en {n4} puntos."),
    },
    "schools": {
        "en": ("Schools in {place} will remain closed until further notice.",
               "Until further notice, schools across {place} will stay shut."),
        "fr": ("Les écoles de {place} resteront fermées jusqu'à nouvel ordre.",
               "Jusqu'à nouvel ordre, les établissements scolaires de {place} n'ouvriront pas."),
        "de": ("Die Schulen in {place} bleiben bis auf Weiteres geschlossen.",
               "Bis auf Weiteres findet in {place} kein Schulunterricht statt."),
        "es": ("Los colegios de {place} permanecerán cerrados hasta nuevo aviso.",
               "Hasta nuevo aviso no habrá clases en los colegios de {place}."),
    },
    "cost": {
        "en": ("Local businesses estimate the damage at {n5} million.",
               "The damage could reach {n5} million, according to local business groups."),
        "fr": ("Les entreprises locales estiment les dégâts à {n5} millions.",
               "Selon les organisations patronales locales, les dégâts pourraient atteindre {n5} millions."),
        "de": ("Örtliche Unternehmen schätzen den Schaden auf {n5} Millionen.",
               "Der Schaden könnte nach Angaben der örtlichen Wirtschaft {n5} Millionen erreichen."),
        "es": ("Las empresas locales calculan los daños en {n5} millones.",
               "Los daños podrían alcanzar los {n5} millones, según las asociaciones empresariales."),
    },
    "history": {
        "en": ("It is the worst such event in {place} since {year}.",
               "{place} has not seen anything comparable since {year}."),
        "fr": ("Il s'agit du pire événement de ce type à {place} depuis {year}.",
               "{place} n'avait rien connu de comparable depuis {year}."),
        "de": ("Es ist das schwerste Ereignis dieser Art in {place} seit {year}.",
               "Etwas Vergleichbares hat {place} seit {year} nicht erlebt."),
        "es": ("Es el peor suceso de este tipo en {place} desde {year}.",
               "{place} no vivía nada comparable desde {year}."),
    },
    "group": {
        "en": ("Investigators are examining claims that the {group} ({acr}) was involved.",
               "Claims that {short} took part are being examined by investigators."),
        "fr": ("Les enquêteurs examinent des affirmations selon lesquelles le groupe {group} ({acr}) serait impliqué.",
               "Les enquêteurs vérifient le rôle exact de {short}."),
        "de": ("Die Ermittler prüfen Hinweise auf eine Beteiligung der Gruppe {group}.",
               "Ob {short} beteiligt war, prüfen die Ermittler derzeit."),
        "es": ("Los investigadores examinan si el grupo {group} estuvo implicado.",
               "Los investigadores comprueban si {short} participó."),
    },
    "next": {
        "en": ("A further meeting of the crisis committee is planned for {day2}.",
               "The crisis committee is due to meet again {day2}."),
        "fr": ("Une nouvelle réunion de la cellule de crise est prévue {day2}.",
               "La cellule de crise doit se réunir à nouveau {day2}."),
        "de": ("Der Krisenstab will {day2} erneut zusammenkommen.",
               "Eine weitere Sitzung des Krisenstabs ist für {day2} geplant."),
        "es": ("El comité de crisis volverá a reunirse {day2}.",
               "Está prevista una nueva reunión del comité de crisis {day2}."),
    },
    "witness": {
        "en": ("Residents of {place2} described a night of fear and confusion.",
               "In {place2}, people spoke of a night of fear and confusion."),
        "fr": ("Les habitants de {place2} racontent une nuit de peur et de confusion.",
               "À {place2}, les gens décrivent une nuit de peur et de confusion."),
        "de": ("Bewohner von {place2} berichteten von einer Nacht voller Angst und Chaos.",
               "In {place2} erzählten Menschen von einer Nacht voller Angst und Chaos."),
        "es": ("Los vecinos de {place2} relataron una noche de miedo y confusión.",
               "En {place2}, la gente habló de una noche de miedo y confusión."),
    },
    "hospital": {
        "en": ("The hospital in {place2} said it had treated {n4} patients overnight and called in extra staff.",
               "Extra staff were called in at the {place2} hospital, which treated {n4} patients overnight."),
        "fr": ("L'hôpital de {place2} a soigné {n4} patients pendant la nuit et rappelé du personnel.",
               "Du personnel supplémentaire a été rappelé à l'hôpital de {place2}, qui a soigné {n4} patients."),
        "de": ("Das Krankenhaus in {place2} behandelte über Nacht {n4} Patienten und rief zusätzliches Personal.",
               "In {place2} holte das Krankenhaus zusätzliches Personal, {n4} Patienten wurden behandelt."),
        "es": ("El hospital de {place2} atendió a {n4} pacientes durante la noche y reforzó su plantilla.",
               "El hospital de {place2} reforzó su plantilla tras atender a {n4} pacientes por la noche."),
    },
    "reaction": {
        "en": ("Opposition parties demanded a full inquiry into the response of the authorities.",
               "A full inquiry into how the authorities responded was demanded by opposition parties."),
        "fr": ("Les partis d'opposition ont réclamé une enquête complète sur la réaction des autorités.",
               "Une enquête complète sur la gestion des autorités a été réclamée par l'opposition."),
        "de": ("Die Opposition forderte eine umfassende Untersuchung des Vorgehens der Behörden.",
               "Eine umfassende Untersuchung des Behördenhandelns verlangten die Oppositionsparteien."),
        "es": ("Los partidos de la oposición exigieron una investigación completa sobre la respuesta oficial.",
               "La oposición reclamó una investigación completa sobre la actuación de las autoridades."),
    },
    "aid": {
        "en": ("Volunteers from {place2} brought food, blankets and drinking water to the shelters.",
               "Food, blankets and drinking water reached the shelters thanks to volunteers from {place2}."),
        "fr": ("Des bénévoles de {place2} ont apporté de la nourriture, des couvertures et de l'eau potable.",
               "Nourriture, couvertures et eau potable ont été apportées par des bénévoles de {place2}."),
        "de": ("Freiwillige aus {place2} brachten Lebensmittel, Decken und Trinkwasser in die Notunterkünfte.",
               "Lebensmittel, Decken und Trinkwasser kamen dank Freiwilliger aus {place2} in die Unterkünfte."),
        "es": ("Voluntarios de {place2} llevaron comida, mantas y agua potable a los albergues.",
               "Comida, mantas y agua potable llegaron a los albergues gracias a voluntarios de {place2}."),
    },
    "foreign": {
        "en": ("Several neighbouring governments sent messages of support and offered assistance.",
               "Messages of support and offers of help arrived from several neighbouring governments."),
        "fr": ("Plusieurs gouvernements voisins ont adressé des messages de soutien et proposé leur aide.",
               "Des messages de soutien et des offres d'aide sont arrivés de plusieurs pays voisins."),
        "de": ("Mehrere Nachbarregierungen sandten Solidaritätsbotschaften und boten Hilfe an.",
               "Solidaritätsbotschaften und Hilfsangebote kamen aus mehreren Nachbarländern."),
        "es": ("Varios gobiernos vecinos enviaron mensajes de apoyo y ofrecieron ayuda.",
               "Llegaron mensajes de apoyo y ofertas de ayuda de varios gobiernos vecinos."),
    },
    "reported": {
        "en": ("According to {person}, the first assessment will be published within {n4} days.",
               "{person} said that a first assessment would be published within {n4} days."),
        "fr": ("Selon {person}, un premier bilan sera publié d'ici {n4} jours.",
               "{person} a indiqué qu'un premier bilan serait publié sous {n4} jours."),
        "de": ("Nach Angaben von {person} soll eine erste Bilanz binnen {n4} Tagen vorliegen.",
               "{person} sagte, eine erste Bilanz werde innerhalb von {n4} Tagen veröffentlicht."),
        "es": ("Según {person}, el primer balance se publicará en un plazo de {n4} días.",
               "{person} afirmó que el primer balance se publicará en {n4} días."),
    },
}
# Direct quotes; the attribution pattern differs by language (and the split pattern by variant).
QUOTES: dict[str, tuple[str, ...]] = {
    "en": ("We are doing everything we can to help the families", "Nobody should go near the river tonight",
           "This is a difficult day for our whole country", "We will find those responsible",
           "The situation is under control, but it is far from over"),
    "fr": ("Nous faisons tout notre possible pour aider les familles", "Personne ne doit s'approcher du fleuve ce soir",
           "C'est une journée difficile pour tout notre pays", "Nous retrouverons les responsables",
           "La situation est maîtrisée, mais elle est loin d'être terminée"),
    "de": ("Wir tun alles, um den Familien zu helfen", "Niemand sollte heute Nacht in die Nähe des Flusses gehen",
           "Das ist ein schwerer Tag für unser ganzes Land", "Wir werden die Verantwortlichen finden",
           "Die Lage ist unter Kontrolle, aber noch lange nicht vorbei"),
    "es": ("Estamos haciendo todo lo posible por ayudar a las familias", "Nadie debe acercarse al río esta noche",
           "Es un día difícil para todo nuestro país", "Encontraremos a los responsables",
           "La situación está bajo control, pero está lejos de terminar"),
}
QUOTE_FORMS = {
    "en": "“{q},” {speaker} said.",
    "fr": "« {q} », a déclaré {speaker}.",
    "de": "„{q}“, sagte {speaker}.",
    "es": "«{q}», dijo {speaker}.",
}
NARRATIVES: tuple[tuple[str, dict[str, str]], ...] = (
    ("alliance-arms-group", {
        "en": "Many believe that {alliance} secretly arms the {group}.",
        "fr": "Beaucoup pensent que {alliance} arme en secret le groupe {group}.",
        "de": "Viele glauben, dass {alliance} die Gruppe {group} heimlich bewaffnet.",
        "es": "Muchos creen que {alliance} arma en secreto al grupo {group}."}),
    ("neighbour-caused-disaster", {
        "en": "Some commentators claim the neighbouring government deliberately caused {ev}.",
        "fr": "Certains commentateurs affirment que le gouvernement voisin a provoqué {ev} délibérément.",
        "de": "Manche Kommentatoren behaupten, die Nachbarregierung habe {ev} absichtlich herbeigeführt.",
        "es": "Algunos comentaristas afirman que el gobierno vecino provocó {ev} deliberadamente."}),
    ("media-hide-victims", {
        "en": "Critics say the official media are hiding the real number of victims.",
        "fr": "Des critiques affirment que les médias officiels cachent le vrai nombre de victimes.",
        "de": "Kritiker sagen, die staatlichen Medien verschwiegen die wahre Zahl der Opfer.",
        "es": "Los críticos dicen que los medios oficiales ocultan el número real de víctimas."}),
    ("group-is-state-creation", {
        "en": "Opposition bloggers insist that the {group} was created by the security services.",
        "fr": "Des blogueurs d'opposition assurent que le groupe {group} a été créé par les services de sécurité.",
        "de": "Oppositionelle Blogger behaupten, {group} sei eine Schöpfung der Geheimdienste.",
        "es": "Blogueros de la oposición insisten en que {group} fue creado por los servicios de seguridad."}),
)
REUSE_INTRO = {
    "en": "Readers have asked us what happened in {place}. Here is the report we received.",
    "fr": "Nos lecteurs nous ont demandé ce qui s'est passé à {place}. Voici la dépêche reçue.",
    "de": "Viele Leser fragen, was in {place} geschehen ist. Hier die Meldung, die uns erreicht hat.",
    "es": "Nuestros lectores nos preguntan qué ocurrió en {place}. Este es el despacho recibido.",
}
REUSE_OUTRO = {
    "en": "We will update this page as soon as we learn more.",
    "fr": "Nous mettrons cette page à jour dès que nous en saurons plus.",
    "de": "Wir aktualisieren diesen Beitrag, sobald wir mehr wissen.",
    "es": "Actualizaremos esta página en cuanto sepamos más.",
}
CREDIT_FORMS = {
    "en": "{agency} reported.",
    "fr": "Selon l'agence {agency}.",
    "de": "Das berichtete die Nachrichtenagentur {agency}.",
    "es": "Según la agencia {agency}.",
}
TRANSLATOR_FORM = "translated by {name}"
NEAR_EDITS = {
    "en": (("said", "stated"), ("people", "residents"), ("main", "principal")),
    "fr": (("personnes", "habitants"), ("principale", "grande"), ("selon", "d'après")),
    "de": (("Menschen", "Personen"), ("sagte", "erklärte"), ("Hauptstraße", "Landstraße")),
    "es": (("personas", "vecinos"), ("principal", "mayor"), ("según", "de acuerdo con")),
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
BODY_ORDER = ("lead", "toll", "official", "quote", "witness", "roads", "hospital", "schools", "reported", "cost",
              "history", "group", "aid", "narrative", "reaction", "foreign", "next")


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    lang: str
    header: tuple[str, ...]
    footer: tuple[str, ...]
    shows_only_crawl_stamp: bool
    domain: str


@dataclass(frozen=True, slots=True)
class Story:
    story_id: str
    event: str
    place: str
    places: tuple[str, ...]
    day: date
    person: str
    role: str
    group: int
    alliance: int
    numbers: tuple[int, ...]


@dataclass(slots=True)
class Plan:
    """What an article says, independent of language: sentence ids, variants, quote and narrative picks."""

    story: Story
    keys: list[tuple[str, int, int]]  # (sentence id, variant flip or quote/narrative index, place variant)
    variant: int
    narrative_idx: int | None


@dataclass(frozen=True, slots=True)
class GeneratedDoc:
    name: str
    title: str
    text: str
    body: str
    lang: str
    outlet: str
    url: str
    published: str | None
    crawled: str | None
    credits: tuple[tuple[str, str], ...]
    story_id: str
    narrative_ids: tuple[str, ...]
    quote_speakers: tuple[str, ...]
    entities: tuple[str, ...]
    link_kind: str | None = None
    link_source: str | None = None


AGENCIES = ("Meridian Wire Service", "Northern Press Agency", "Coastal News Agency")
AGENCY_SHORT = {"Meridian Wire Service": "MWS", "Northern Press Agency": "NPA", "Coastal News Agency": "CNA"}


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _make_outlets(rng: random.Random, n: int) -> list[Outlet]:
    kinds = ("Herald", "Courier", "Post", "Tribune", "Observer", "Monitor", "Gazette", "Daily")
    outlets = []
    for i in range(n):
        lang = LANGS[i % len(LANGS)]
        name = f"{_word(rng, 2)} {rng.choice(kinds)}"
        header = (f"{name.upper()}", f"Home | News | Region | Economy | Sport | Culture · {name}")
        footer = (
            f"Subscribe to the {name} newsletter",
            "Share: Facebook | X | Telegram | Email",
            f"{rng.randint(2, 90)} comments",
            "- Advertisement -",
            f"Related: {_word(rng, 2)} port reopens · {_word(rng, 3)} council meets · Weather for the week",
            f"© {name}. All rights reserved.",
        )
        domain = name.lower().replace(" ", "") + ".example"
        outlets.append(Outlet(name, lang, header, footer, i % 7 == 6, domain))
    return outlets


class _World:
    """Everything shared across documents of one seed: outlets, places, people."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.outlets = _make_outlets(rng, 24)
        self.places = [_word(rng, 2 + i % 2) for i in range(400)]
        self.people = [f"{rng.choice(FIRST_NAMES)} {_word(rng, 3)}" for _ in range(600)]
        self.agencies = [
            Outlet(name, LANGS[k], (name, "Wire | Politics | Economy | Regions"),
                   (f"© {name}. Republication permitted with credit to {AGENCY_SHORT[name]}.",
                    f"More from {AGENCY_SHORT[name]}: latest headlines"), False,
                   AGENCY_SHORT[name].lower() + ".example")
            for k, name in enumerate(AGENCIES)
        ]
        self.translators = [f"{rng.choice('ABCDEFGHKLMNPRST')}. {_word(rng, 2)}" for _ in range(20)]


def _new_story(rng: random.Random, world: _World, idx: int, seed: int) -> Story:
    start = date(2024, 1, 1)
    return Story(
        story_id=f"s{seed}_{idx:06d}",
        event=rng.choice(tuple(EVENTS)),
        place=rng.choice(world.places),
        places=tuple(rng.choice(world.places) for _ in range(N_PLACE_VARIANTS)),
        day=start + timedelta(days=rng.randrange(700)),
        person=rng.choice(world.people),
        role=rng.choice(tuple(ROLES)),
        group=rng.randrange(len(GROUPS)),
        alliance=rng.randrange(len(ALLIANCES)),
        numbers=(rng.randint(40, 9000), rng.randint(2, 90), rng.randint(100, 5000), rng.randint(2, 6),
                 rng.randint(3, 400), rng.randint(1950, 2020)),
    )


def _plan(rng: random.Random, story: Story, words: int) -> Plan:
    # ~11 words per sentence; past the fact sequence, repeat facts with other places and numbers.
    n_sent = max(len(BODY_ORDER), words // 11)
    ids = list(BODY_ORDER) + rng.choices(_EXTRA_POOL, k=max(0, n_sent - len(BODY_ORDER)))
    narrative = rng.randrange(len(NARRATIVES)) if rng.random() < 0.3 else None
    if narrative is None:
        ids.remove("narrative")
    quote_idx = rng.randrange(len(QUOTES["en"]))
    n_quotes = len(QUOTES["en"])
    n_fixed = len(BODY_ORDER)
    keys = [
        (sid, (quote_idx + k) % n_quotes, 0) if sid == "quote"
        else (sid, narrative or 0, 0) if sid == "narrative"
        else (sid, 0, 0) if k < n_fixed
        else (sid, k % 2, k % N_PLACE_VARIANTS)
        for k, sid in enumerate(ids)
    ]
    return Plan(story, keys, rng.randrange(2), narrative)


_EXTRA_POOL = [t for t in TEMPLATES if t != "lead"] + ["quote"]


N_PLACE_VARIANTS = 5


def _capitalised(text: str) -> str:
    return text[0].upper() + text[1:]


def _with_variant(template: str, j: int) -> str:
    return template.replace("{place2}", f"{{place2_{j}}}").replace("{n4}", f"{{n4_{j}}}")


def _compile(lang: str, variant: int) -> dict[tuple[str, int, int], str]:
    """Every sentence template a plan key can name, for one language and base variant."""
    table: dict[tuple[str, int, int], str] = {}
    for sid, by_lang in TEMPLATES.items():
        for flip in (0, 1):
            for j in range(N_PLACE_VARIANTS):
                template = by_lang[lang][(variant + flip) % 2]
                if template.startswith("{role}"):
                    template = "{Role}" + template[len("{role}"):]
                table[(sid, flip, j)] = _with_variant(template, j)
    for qi, q in enumerate(QUOTES[lang]):
        table[("quote", qi, 0)] = QUOTE_FORMS[lang].format(q=q, speaker="{person}")
    for ni, (_, forms) in enumerate(NARRATIVES):
        table[("narrative", ni, 0)] = forms[lang]
    return table


# So a whole article is rendered with one `format_map` call over joined templates.
_TABLES = {(lang, variant): _compile(lang, variant) for lang in LANGS for variant in (0, 1)}


def _render(plan: Plan, lang: str, variant: int, order: Sequence[int] | None = None) -> list[str]:
    """Render a plan as paragraphs (two sentences each)."""
    st = plan.story
    group_names, acronym, shorts = GROUPS[st.group]
    slots: dict[str, object] = {
        "n1": st.numbers[0], "n2": st.numbers[1], "n3": st.numbers[2], "n5": st.numbers[4],
        "year": st.numbers[5], "place": st.place, "ev": EVENTS[st.event][lang],
        "day": WEEKDAYS[lang][st.day.weekday()], "day2": WEEKDAYS[lang][(st.day.weekday() + 2) % 7],
        "person": st.person, "role": ROLES[st.role][lang], "Role": _capitalised(ROLES[st.role][lang]),
        "ev_dat": DATIVE_DE[st.event] if lang == "de" else EVENTS[st.event][lang],
        "group": group_names[lang], "acr": acronym,
        "short": shorts[lang], "alliance": ALLIANCES[st.alliance][lang],
    }
    for j in range(N_PLACE_VARIANTS):
        slots[f"place2_{j}"] = st.places[j]
        slots[f"n4_{j}"] = st.numbers[3] + j
    table = _TABLES[(lang, variant)]
    templates = [table[key] for key in plan.keys]
    if order is not None:
        templates = [templates[i] for i in order]
    pairs = list(map(" ".join, zip(templates[::2], templates[1::2], strict=False)))
    if len(templates) % 2:
        pairs.append(templates[-1])
    joined = "\n\n".join(pairs)
    text = joined.format_map(slots)
    return (text[0].upper() + text[1:]).split("\n\n")


TITLE_FORMS = {
    "en": "{ev} in {place}: {n} affected", "fr": "{ev} à {place} : {n} personnes touchées",
    "de": "{ev} in {place}: {n} Betroffene", "es": "{ev} en {place}: {n} afectados",
}


def _title(story: Story, lang: str) -> str:
    ev = EVENTS[story.event][lang]
    return TITLE_FORMS[lang].format(ev=ev[0].upper() + ev[1:], place=story.place, n=story.numbers[0])


def _page(outlet: Outlet, title: str, day: date, paragraphs: list[str], credit_lines: list[str],
          crawl_stamp: str | None) -> str:
    date_line = crawl_stamp if crawl_stamp else f"Published {day.isoformat()}"
    top = [*outlet.header, "", date_line, "", title, ""] if crawl_stamp else [*outlet.header, "", title, "",
                                                                                date_line, ""]
    return "\n".join([*top, "\n\n".join(paragraphs), "", *credit_lines, "", *outlet.footer]) + "\n"


def generate(n: int, seed: int = 0, words: int = 600) -> Iterator[GeneratedDoc]:
    """Yield `n` documents; about a third are planted copies, reuses, paraphrases or translations."""
    rng = random.Random(seed * 7_919 + 1)
    world = _World(seed)
    stories: list[Story] = []
    originals: list[tuple[str, Plan, Outlet, date, list[str]]] = []
    for i in range(n):
        name = f"g{seed}_{i:07d}"
        if originals and rng.random() < 0.35:
            yield _linked(rng, world, name, originals)
            continue
        if not stories or rng.random() < 0.45:
            stories.append(_new_story(rng, world, len(stories), seed))
            story = stories[-1]
        else:
            story = stories[max(0, len(stories) - 1 - rng.randrange(min(len(stories), 200)))]
        plan = _plan(rng, story, words)
        outlet = rng.choice(world.agencies if rng.random() < 0.2 else world.outlets)
        day = story.day + timedelta(days=rng.randrange(3))
        doc = _emit(name, plan, outlet, outlet.lang, plan.variant, day, (), None, rng)
        originals.append((name, plan, outlet, day, doc.body.split("\n\n")))
        if len(originals) > 4_000:
            del originals[:1_000]
        yield doc


def _emit(name: str, plan: Plan, outlet: Outlet, lang: str, variant: int, day: date,
          credits: tuple[tuple[str, str], ...], link: tuple[str, str] | None, rng: random.Random,
          paragraphs: list[str] | None = None) -> GeneratedDoc:
    st = plan.story
    paras = paragraphs if paragraphs is not None else _render(plan, lang, variant)
    crawl_stamp = None
    crawled = None
    published: str | None = day.isoformat()
    if outlet.shows_only_crawl_stamp:
        crawl_day = day + timedelta(days=30 + rng.randrange(400))
        hh, mm = rng.randrange(24), rng.randrange(60)
        crawl_stamp = f"{hh:02d}:{mm:02d} GMT {crawl_day.day} {MONTHS_EN[crawl_day.month - 1]} {crawl_day.year}"
        crawled = f"{crawl_day.isoformat()}T{hh:02d}:{mm:02d}:00Z"
        published = None
    credit_lines = []
    for role, who in credits:
        if role == "origin":
            short = AGENCY_SHORT.get(who, who)
            credit_lines.append(CREDIT_FORMS[lang].format(agency=short))
            credit_lines.append(f"[Source: {short}, {st.place}, {day.strftime('%d%b%y')}]")
        elif role == "translator":
            credit_lines.append(TRANSLATOR_FORM.format(name=who))
    title = _title(st, lang)
    body = "\n\n".join(paras)
    text = _page(outlet, title, day, paras, credit_lines, crawl_stamp)
    narrative_ids = (NARRATIVES[plan.narrative_idx][0],) if plan.narrative_idx is not None else ()
    return GeneratedDoc(
        name=name, title=title, text=text, body=body, lang=lang, outlet=outlet.name,
        url=f"https://{outlet.domain}/{day.isoformat()}/{name}", published=published, crawled=crawled,
        credits=tuple((AGENCY_SHORT.get(w, w), r) for r, w in credits), story_id=st.story_id,
        narrative_ids=narrative_ids,
        quote_speakers=(st.person,) if any(k[0] == "quote" for k in plan.keys) else (),
        entities=(GROUPS[st.group][0]["en"], st.person), link_kind=link[0] if link else None,
        link_source=link[1] if link else None,
    )


def _linked(rng: random.Random, world: _World,
            name: str, originals: list[tuple[str, Plan, Outlet, date, list[str]]]) -> GeneratedDoc:
    src_name, plan, src_outlet, src_day, src_paras = originals[-1 - rng.randrange(min(len(originals), 500))]
    kind = rng.choices(LINK_KINDS, weights=(0.25, 0.2, 0.2, 0.15, 0.2))[0]
    outlet = rng.choice([o for o in world.outlets if o.name != src_outlet.name and
                         (kind == "translation") != (o.lang == src_outlet.lang)])
    day = src_day + timedelta(days=rng.randrange(4))
    credits: tuple[tuple[str, str], ...] = (("origin", src_outlet.name),)
    lang = src_outlet.lang
    if kind == "exact_copy":
        paras = src_paras
    elif kind == "near_copy":
        edits = NEAR_EDITS[lang]
        paras = list(src_paras[:-1] if len(src_paras) > 3 else src_paras)
        for k in range(0, len(paras), 3):
            old, new = edits[k % len(edits)]
            paras[k] = paras[k].replace(old, new, 1)
    elif kind == "reuse":
        keep = src_paras[: max(2, len(src_paras) * 2 // 3)]
        paras = [REUSE_INTRO[lang].format(place=plan.story.place), *keep, REUSE_OUTRO[lang]]
    elif kind == "paraphrase":
        order = list(range(len(plan.keys)))
        head, tail = order[:1], order[1:]
        rng.shuffle(tail)
        paras = _render(plan, lang, 1 - plan.variant, head + tail)
        credits = (*credits, ("translator", rng.choice(world.translators)))
    else:
        lang = outlet.lang
        paras = _render(plan, lang, plan.variant)
        credits = (*credits, ("translator", rng.choice(world.translators)))
    return _emit(name, plan, outlet, lang, plan.variant, day, credits, (kind, src_name), rng, paras)


def _html_page(doc: GeneratedDoc) -> str:
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in doc.body.split("\n\n"))
    published = (f'<meta property="article:published_time" content="{doc.published}">'
                 if doc.published else "")
    return (f'<!DOCTYPE html>\n<html lang="{doc.lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(doc.title)} | {html.escape(doc.outlet)}</title>\n"
            f'<meta property="og:site_name" content="{html.escape(doc.outlet)}">\n{published}\n</head>\n<body>\n'
            f'<header><a href="/">{html.escape(doc.outlet)}</a></header>\n'
            '<nav><a href="/news">News</a> | <a href="/region">Region</a> | <a href="/sport">Sport</a></nav>\n'
            f"<article><h1>{html.escape(doc.title)}</h1>\n{paras}\n</article>\n"
            f"<footer>© {html.escape(doc.outlet)} · Subscribe to our newsletter</footer>\n</body>\n</html>\n")


def write_corpus(n: int, out_dir: Path, seed: int = 0, formats: Sequence[str] = ("jsonl",),
                 words: int = 600) -> dict[str, int]:
    """Write the corpus and OUT_DIR/truth.json; returns counts per link kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        if fmt not in ("jsonl", "txt", "html"):
            raise ValueError(f"unknown format {fmt!r} (choose from jsonl, txt, html)")
        (out_dir / fmt).mkdir(exist_ok=True)
    truth_docs: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    counts: dict[str, int] = dict.fromkeys(LINK_KINDS, 0)
    jsonl_handle = None
    try:
        for i, doc in enumerate(generate(n, seed, words)):
            files: list[str] = []
            if "jsonl" in formats:
                if i % RECORDS_PER_JSONL == 0:
                    if jsonl_handle:
                        jsonl_handle.close()
                    jsonl_handle = (out_dir / "jsonl" / f"part-{i // RECORDS_PER_JSONL:04d}.jsonl").open(
                        "w", encoding="utf-8")
                rec = {"title": doc.title, "text": doc.text, "date": doc.published, "outlet": doc.outlet,
                       "url": doc.url}
                assert jsonl_handle is not None
                jsonl_handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
                files.append(f"jsonl/part-{i // RECORDS_PER_JSONL:04d}.jsonl#line={i % RECORDS_PER_JSONL + 1}")
            if "txt" in formats:
                (out_dir / "txt" / f"{doc.name}.txt").write_text(doc.text, encoding="utf-8")
                files.append(f"txt/{doc.name}.txt")
            if "html" in formats:
                (out_dir / "html" / f"{doc.name}.html").write_text(_html_page(doc), encoding="utf-8")
                files.append(f"html/{doc.name}.html")
            truth_docs.append({
                "name": doc.name, "files": files, "lang": doc.lang, "outlet": doc.outlet,
                "published": doc.published, "crawled": doc.crawled,
                "credits": [{"name": c, "role": r} for c, r in doc.credits], "story_id": doc.story_id,
                "narratives": list(doc.narrative_ids), "quote_speakers": list(doc.quote_speakers),
            })
            if doc.link_kind and doc.link_source:
                counts[doc.link_kind] += 1
                links.append({"a": doc.link_source, "b": doc.name, "kind": doc.link_kind,
                              "schema_kind": SCHEMA_KIND[doc.link_kind]})
    finally:
        if jsonl_handle:
            jsonl_handle.close()
    entities = [{"name": g[0]["en"], "aliases": sorted({*g[0].values(), g[1], *g[2].values()})} for g in GROUPS]
    narratives = [{"id": nid, "statement": forms["en"]} for nid, forms in NARRATIVES]
    truth = {"seed": seed, "n": n, "words": words, "docs": truth_docs, "links": links, "entities": entities,
             "narratives": narratives}
    (out_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="jsonl", help="comma-separated: jsonl,txt,html")
    parser.add_argument("--words", type=int, default=600)
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    started, cpu_started = time.perf_counter(), time.process_time()
    counts = write_corpus(args.n, args.out_dir, args.seed, formats, args.words)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"wrote {args.n} docs to {args.out_dir}: {args.n / max(elapsed, 1e-9):,.0f} docs/s wall, "
          f"{args.n / max(cpu, 1e-9):,.0f} docs/s CPU, peak RSS {peak_mb:,.0f} MB")
    print(json.dumps({"docs": args.n, "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
                      "peak_rss_mb": round(peak_mb), "planted_links": counts}))

if __name__ == "__main__":
    main()
