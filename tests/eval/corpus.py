"""The labelled text corpus behind ``python -m tests.eval.evaluation``: planted identifiers and benign look-alikes.

``python -m tests.eval.corpus`` writes ``fixtures/text_corpus/cases.jsonl`` deterministically (fixed seed;
Faker is seeded per locale). Each case is one chat-like text with
  * ``planted``: identifiers that must be replaced, ``{kind, start, end, value}`` (kind = placeholder type);
  * ``benign``: look-alikes that must survive untouched, ``{kind, start, end, value}``;
  * ``locale`` and, for names, ``lexicon``: whether every token of the name is in the shipped name lexicon.
Values are generated valid (check digits computed, phone numbers valid for libphonenumber), in the
formats people type. Kinds that no detector can tell from a random number without a word next to it
(IMSI, BSN, PESEL, Steuer-ID ... see ``LABEL_ONLY``) are always planted with a label, as they appear in
real logs; the report says so. Names come from Faker's locale lists and, for the out-of-lexicon share,
from Faker locales outside the EU/UK/US (Turkish, Vietnamese, Nigerian, Indonesian ...), filtered to
names the lexicon does not know.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import random
import string
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

SEED = 20261125
# Every date in the corpus is drawn relative to this day, never to today, so the committed corpus
# regenerates unchanged on any later day (the generator test compares the two).
ANCHOR = dt.date(2026, 11, 25)
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "text_corpus" / "cases.jsonl"

LOCALES: tuple[str, ...] = (
    "en_US", "en_GB", "en_IE", "de_DE", "de_AT", "fr_FR", "fr_BE", "es_ES", "it_IT", "nl_NL", "nl_BE", "pl_PL",
    "sv_SE", "da_DK", "fi_FI", "pt_PT", "cs_CZ", "sk_SK", "ro_RO", "hu_HU", "el_GR", "bg_BG", "hr_HR", "sl_SI",
    "et_EE", "lv_LV", "lt_LT",
)  # fmt: skip
FOREIGN_NAME_LOCALES = ("tr_TR", "vi_VN", "en_NG", "id_ID", "sw", "en_IN", "az_AZ", "zu_ZA", "yo_NG", "pt_BR")

PATTERN_KINDS: tuple[str, ...] = (
    "EMAIL", "PHONE", "IBAN", "BIC", "CARD", "IMEI", "IMSI", "MAC", "UUID", "IP", "CRYPTO_WALLET", "SIP_URI",
    "HANDLE", "COORDINATES", "NATIONAL_ID", "VIN", "SECRET", "URL",
)  # fmt: skip
BENIGN_KINDS: tuple[str, ...] = (
    "ORDER_NUMBER", "DATE", "TIME", "VERSION", "GIT_SHA", "AMOUNT", "ISBN", "LUHN_FAIL", "MOD97_FAIL", "PORT",
    "STATUS", "UPPERCASE", "MEASURE",
)  # fmt: skip

# Identifier kinds (or national-id schemes) that are planted only next to a label: without one they are
# indistinguishable from an order number, for any detector.
LABEL_ONLY = (
    "IMSI", "HANDLE (plain @name)", "BIC without digits",
    "NATIONAL_ID: BSN, PESEL, Steuer-ID, OIB, EGN, CNP, AMKA, isikukood, asmens kodas, EMŠO, SVNR, CPR, NHS, raw SSN",
)  # fmt: skip


def _lang(locale: str) -> str:
    return locale.split("_")[0]


# ---- frames: how people write an identifier in a message, per language ------------------------------------

FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Here is my {label}: {v}.",
        "My {label} is {v}, can you update it?",
        "{label} {v}",
        "please use {v} from now on",
        "I already sent {v} to support yesterday",
        "- {label}: {v}\n- status: pending",
        "({v})",
        "ok so {v} is the one",
    ),
    "de": (
        "Hier ist meine {label}: {v}.",
        "Meine {label} lautet {v}, bitte ändern.",
        "{label} {v}",
        "bitte ab sofort {v} verwenden",
        "ich habe {v} gestern an den Support geschickt",
    ),
    "fr": (
        "Voici mon {label} : {v}.",
        "Mon {label} est {v}, merci de le mettre à jour.",
        "{label} {v}",
        "utilisez {v} désormais",
        "j'ai envoyé {v} hier au support",
    ),
    "es": (
        "Aquí está mi {label}: {v}.",
        "Mi {label} es {v}, ¿puedes actualizarlo?",
        "{label} {v}",
        "usa {v} a partir de ahora",
    ),
    "it": (
        "Ecco il mio {label}: {v}.",
        "Il mio {label} è {v}, potete aggiornarlo?",
        "{label} {v}",
        "usate {v} d'ora in poi",
    ),
    "nl": (
        "Hier is mijn {label}: {v}.",
        "Mijn {label} is {v}, kun je het aanpassen?",
        "{label} {v}",
        "gebruik vanaf nu {v}",
    ),
    "pl": ("Oto mój {label}: {v}.", "Mój {label} to {v}, proszę zaktualizować.", "{label} {v}", "proszę używać {v}"),
    "sv": ("Här är mitt {label}: {v}.", "Mitt {label} är {v}, kan du uppdatera?", "{label} {v}"),
    "pt": ("Aqui está o meu {label}: {v}.", "O meu {label} é {v}, podem atualizar?", "{label} {v}"),
}

LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "EMAIL": {
        "en": ("email", "e-mail address"),
        "de": ("E-Mail", "Mailadresse"),
        "fr": ("e-mail", "adresse mail"),
        "es": ("correo",),
        "it": ("email",),
        "nl": ("e-mailadres",),
        "pl": ("e-mail",),
        "sv": ("mejl",),
        "pt": ("email",),
    },
    "PHONE": {
        "en": ("phone number", "mobile", "tel."),
        "de": ("Telefonnummer", "Handynummer", "Tel."),
        "fr": ("numéro de téléphone", "portable"),
        "es": ("teléfono", "móvil"),
        "it": ("telefono", "cellulare"),
        "nl": ("telefoonnummer", "mobiel"),
        "pl": ("telefon", "komórka"),
        "sv": ("telefonnummer", "mobil"),
        "pt": ("telemóvel", "telefone"),
    },
    "IBAN": {"*": ("IBAN", "bank account (IBAN)")},
    "BIC": {"*": ("BIC", "SWIFT code", "BIC/SWIFT")},
    "CARD": {
        "en": ("card number", "credit card", "card"),
        "de": ("Kartennummer", "Kreditkarte"),
        "fr": ("numéro de carte", "carte bancaire"),
        "es": ("tarjeta",),
        "it": ("carta di credito",),
        "nl": ("kaartnummer",),
        "pl": ("karta",),
        "sv": ("kortnummer",),
        "pt": ("cartão",),
    },
    "IMEI": {"*": ("IMEI", "IMEI number", "phone IMEI")},
    "IMEI_SV": {"*": ("IMEISV", "IMEI-SV", "IMEI/SV")},
    "IMSI": {"*": ("IMSI", "SIM IMSI", "subscriber id (IMSI)")},
    "MAC": {"en": ("MAC address", "MAC", "wifi MAC"), "de": ("MAC-Adresse",), "fr": ("adresse MAC",), "*": ("MAC",)},
    "UUID": {"en": ("device id", "account id", "request id"), "de": ("Geräte-ID",), "*": ("ID", "UUID")},
    "IP": {"en": ("IP", "IP address", "my IP"), "de": ("IP-Adresse",), "fr": ("adresse IP",), "*": ("IP",)},
    "CRYPTO_WALLET": {"en": ("wallet", "BTC address", "ETH address"), "de": ("Wallet",), "*": ("wallet",)},
    "SIP_URI": {"*": ("SIP", "SIP address", "softphone")},
    "HANDLE": {
        "en": ("Twitter", "Telegram", "Instagram", "handle", "Matrix id"),
        "de": ("Telegram", "Instagram"),
        "*": ("Telegram", "Instagram", "Twitter"),
    },
    "COORDINATES": {
        "en": ("location", "coordinates", "GPS"),
        "de": ("Standort", "Koordinaten"),
        "fr": ("coordonnées", "position"),
        "es": ("ubicación", "coordenadas"),
        "*": ("GPS", "location"),
    },
    "VIN": {
        "en": ("VIN", "car VIN"),
        "de": ("Fahrgestellnummer", "FIN"),
        "fr": ("numéro de châssis", "VIN"),
        "es": ("bastidor", "VIN"),
        "it": ("telaio", "VIN"),
        "*": ("VIN",),
    },
    "SECRET": {"*": ("key", "token", "credentials")},
    "URL": {"en": ("link", "page"), "de": ("Link",), "fr": ("lien",), "*": ("link",)},
}

NAME_FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        "en": (
            "Hi {first}, thanks for the quick reply.",
            "Hello {first},\ncould you check the logs?",
            "Dear {full},",
            "Hey {first} - quick question about my order.",
        ),
        "de": (
            "Hallo {first}, danke für die schnelle Antwort.",
            "Liebe {first},\nkannst du das prüfen?",
            "Sehr geehrte Frau {last},",
            "Sehr geehrter Herr {last},",
        ),
        "fr": ("Bonjour {first}, merci pour votre réponse.", "Cher {full},", "Salut {first} !"),
        "es": ("Hola {first}, gracias por responder.", "Estimado {full}:", "Querida {first},"),
        "it": ("Ciao {first}, grazie della risposta.", "Gentile {full},", "Buongiorno {first},"),
        "nl": ("Hoi {first}, bedankt voor je antwoord.", "Beste {full},", "Geachte heer {last},"),
        "pl": ("Cześć {first}, dzięki za odpowiedź.", "Szanowny Panie {last},", "Witaj {first},"),
        "sv": ("Hej {first}, tack för svaret.", "Hej {full}!"),
        "pt": ("Olá {first}, obrigado pela resposta.", "Caro {full},"),
    },
    "intro": {
        "en": (
            "Hi, my name is {full} and I can't log in.",
            "I'm {full}, I ordered last week.",
            "This is {full} from accounting.",
        ),
        "de": (
            "Hallo, ich heiße {full} und komme nicht rein.",
            "Mein Name ist {full}.",
            "Ich bin {full} aus dem Vertrieb.",
        ),
        "fr": ("Bonjour, je m'appelle {full} et j'ai un souci.", "Je suis {full}, client depuis 2019."),
        "es": ("Hola, me llamo {full} y tengo un problema.", "Soy {full}, cliente desde 2019."),
        "it": ("Salve, mi chiamo {full} e ho un problema.", "Sono {full}, cliente dal 2019."),
        "nl": ("Hallo, mijn naam is {full} en ik kan niet inloggen.", "Ik ben {full}."),
        "pl": ("Dzień dobry, nazywam się {full} i mam problem.", "Jestem {full}."),
        "sv": ("Hej, jag heter {full} och kan inte logga in.",),
        "pt": ("Olá, chamo-me {full} e tenho um problema.",),
    },
    "signature": {
        "en": (
            "Thanks for your help.\n\nBest regards,\n{full}",
            "Cheers,\n{first}",
            "Kind regards,\n{full}\nSupport Team",
        ),
        "de": ("Vielen Dank.\n\nMit freundlichen Grüßen\n{full}", "Viele Grüße\n{first}", "LG {first}"),
        "fr": ("Merci d'avance.\n\nCordialement,\n{full}", "Bien à vous,\n{full}"),
        "es": ("Gracias.\n\nSaludos,\n{full}", "Atentamente,\n{full}"),
        "it": ("Grazie.\n\nCordiali saluti,\n{full}", "Saluti,\n{first}"),
        "nl": ("Alvast bedankt.\n\nMet vriendelijke groet,\n{full}",),
        "pl": ("Dziękuję.\n\nPozdrawiam,\n{full}", "Z poważaniem,\n{full}"),
        "sv": ("Tack!\n\nMed vänliga hälsningar,\n{full}",),
        "pt": ("Obrigado.\n\nCumprimentos,\n{full}",),
    },
    "title": {
        "en": ("Please forward this to Mr {last}.", "Dr. {full} will call you back.", "Ms {last} approved it."),
        "de": ("Bitte an Frau {last} weiterleiten.", "Herr {last} ruft zurück.", "Dr. {full} hat zugestimmt."),
        "fr": ("Merci de transmettre à Mme {last}.", "M. {full} vous rappellera."),
        "es": ("Por favor, reenvíalo al Sr. {last}.", "La Sra. {full} lo aprobó."),
        "it": ("Inoltrate al sig. {last}, per favore.", "La dott.ssa {full} richiamerà."),
        "nl": ("Stuur dit door naar mevrouw {last}.", "Dhr. {full} belt terug."),
        "pl": ("Proszę przekazać to Pani {last}.", "Pan {full} oddzwoni."),
        "sv": ("Skicka det till Dr. {full}.",),
        "pt": ("Encaminhe ao Sr. {full}.",),
    },
    "mid": {
        "en": (
            "The ticket was reassigned to {full} yesterday.",
            "{full} approved the refund this morning.",
            "I spoke with {full} on the phone and she said it's fine.",
            "can you ask {first} about the invoice?",
            "{first} said the parcel is lost.",
            "meeting notes: {full}, {full2} and me",
        ),
        "de": (
            "Ich habe mit {full} telefoniert.",
            "{full} hat die Rückerstattung genehmigt.",
            "kannst du {first} fragen?",
        ),
        "fr": ("J'ai parlé avec {full} hier.", "{full} a validé le remboursement.", "tu peux demander à {first} ?"),
        "es": ("Hablé con {full} ayer.", "{full} aprobó el reembolso.", "¿puedes preguntarle a {first}?"),
        "it": ("Ho parlato con {full} ieri.", "{full} ha approvato il rimborso.", "puoi chiedere a {first}?"),
        "nl": ("Ik heb {full} gisteren gesproken.", "{full} heeft de terugbetaling goedgekeurd."),
        "pl": ("Rozmawiałem wczoraj z {full}.", "{full} zatwierdził zwrot."),
        "sv": ("Jag pratade med {full} igår.", "{full} godkände återbetalningen."),
        "pt": ("Falei ontem com {full}.", "{full} aprovou o reembolso."),
    },
}
# Held-out name frames: written once and never used to tune the PERSON rules; the report shows them apart.
HELDOUT_FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Could you loop in {full} on this thread?",
        "{first}'s account was locked again.",
        "According to {full}, the refund was sent.",
        "cc: {full}",
        "Assigned: {full}",
        "I've attached the form {full} filled in.",
        "ping {first} when it's done",
        "Both {first} and {full2} were on the call.",
        "Signed, {full}",
        "— {first}",
        "From: {full}",
        "ok thx {first}!",
        "the invoice is addressed to {full}, not me",
    ),
    "de": (
        "Laut {full} ist das Paket unterwegs.",
        "Gruß, {first}",
        "Rückfrage an {full} gestellt.",
        "Bitte {first} Bescheid geben.",
        "Ansprechpartnerin: {full}",
        "Die Rechnung lautet auf {full}.",
    ),
    "fr": (
        "D'après {full}, le colis est parti.",
        "Merci {first} !",
        "À l'attention de {full}",
        "Signé : {full}",
        "La facture est au nom de {full}.",
    ),
    "es": (
        "Según {full}, ya se envió.",
        "Un saludo, {first}",
        "Contacto: {full}",
        "La factura está a nombre de {full}.",
    ),
    "it": (
        "Secondo {full} il pacco è partito.",
        "A presto, {first}",
        "Referente: {full}",
        "La fattura è intestata a {full}.",
    ),
    "nl": ("Volgens {full} is het pakket onderweg.", "Groetjes, {first}", "Contactpersoon: {full}"),
    "pl": ("Według {full} paczka została wysłana.", "Pozdrowienia, {first}", "Osoba kontaktowa: {full}"),
    "sv": ("Enligt {full} är paketet skickat.", "Hälsningar {first}", "Kontaktperson: {full}"),
    "pt": ("Segundo {full}, a encomenda já foi enviada.", "Abraço, {first}", "Contacto: {full}"),
}
# A second held-out set, written after the first one had been used once for error analysis.
HELDOUT2_FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks so much, {first}, that fixed it.",
        "{full} (our accountant) will send the papers.",
        "Please add {full} as a second driver.",
        "The parcel was signed for by {full}.",
        "My colleague {first} will follow up.",
        "Reminder from {first}: meeting at noon",
        "{first} here - the login still fails.",
        "Reply to {full}'s question below",
    ),
    "de": (
        "Danke dir, {first}!",
        "Mein Kollege {first} meldet sich.",
        "Das Paket hat {full} angenommen.",
        "{first} hier – der Login geht immer noch nicht.",
    ),
    "fr": (
        "Mon collègue {first} va vous recontacter.",
        "Le colis a été signé par {full}.",
        "C'est {first}, le login ne marche toujours pas.",
    ),
    "es": (
        "Mi compañero {first} te escribirá.",
        "El paquete lo firmó {full}.",
        "Soy {first} otra vez, sigue sin funcionar.",
    ),
    "it": ("Il mio collega {first} vi ricontatterà.", "Il pacco è stato firmato da {full}."),
    "nl": ("Mijn collega {first} neemt contact op.", "Het pakket is getekend door {full}."),
    "pl": ("Mój kolega {first} się odezwie.", "Paczkę odebrał {full}."),
    "sv": ("Min kollega {first} hör av sig.", "Paketet signerades av {full}."),
    "pt": ("O meu colega {first} vai entrar em contacto.", "A encomenda foi assinada por {full}."),
}
HELDOUT_SEED = 4242
HELDOUT_PATH = DEFAULT_PATH.with_name("heldout_names.jsonl")

LOWER_INTRO = {
    "en": "my name is {full}", "de": "ich heiße {full}", "fr": "je m'appelle {full}", "es": "me llamo {full}",
    "it": "mi chiamo {full}", "nl": "mijn naam is {full}", "pl": "nazywam się {full}",
}  # fmt: skip

FILLERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks in advance!",
        "The app keeps crashing when I open settings.",
        "Can you help me with this?",
        "I tried again this morning and it still fails.",
        "Let me know if you need anything else.",
        "Please summarise the following support conversation.",
        "Translate the text below into French.",
    ),
    "de": ("Danke im Voraus!", "Die App stürzt immer wieder ab.", "Könnt ihr mir bitte helfen?"),
    "fr": ("Merci d'avance !", "L'application plante sans arrêt.", "Pouvez-vous m'aider ?"),
    "es": ("¡Gracias de antemano!", "La aplicación se cierra sola.", "¿Me pueden ayudar?"),
    "it": ("Grazie in anticipo!", "L'app continua a bloccarsi.", "Potete aiutarmi?"),
    "nl": ("Alvast bedankt!", "De app crasht steeds.", "Kunnen jullie helpen?"),
    "pl": ("Z góry dziękuję!", "Aplikacja ciągle się zawiesza.", "Czy możecie pomóc?"),
    "sv": ("Tack på förhand!", "Appen kraschar hela tiden."),
    "pt": ("Obrigado desde já!", "A aplicação está sempre a falhar."),
}

BENIGN_FRAMES: dict[str, tuple[str, ...]] = {
    "ORDER_NUMBER": (
        "Order #{v} has shipped.",
        "my order number is {v}",
        "Bestellnummer {v}",
        "commande n° {v}",
        "ticket {v} is still open",
        "invoice {v} attached",
        "pedido {v}",
        "ref. {v}",
    ),
    "DATE": ("It happened on {v}.", "since {v}", "am {v} bestellt", "livré le {v}", "deadline {v}"),
    "TIME": ("at {v} it failed again", "um {v} Uhr", "logged at {v}"),
    "VERSION": ("I'm on version {v}.", "after updating to {v}", "running {v}", "model {v}"),
    "GIT_SHA": ("commit {v} broke it", "fixed in {v}", "see {v}"),
    "AMOUNT": ("I was charged {v} twice.", "total {v}", "Betrag: {v}", "refund of {v}"),
    "ISBN": ("ISBN {v}", "the book ({v}) never arrived", "ISBN-13: {v}"),
    "LUHN_FAIL": ("reference {v}", "the number {v} was rejected", "code {v}"),
    "MOD97_FAIL": ("the form says {v} is invalid", "account {v} (typo?)"),
    "PORT": ("the server listens on port {v}", "connect to localhost:{v}", "firewall blocks {v}/tcp"),
    "STATUS": ("got HTTP {v}", "status {v} again", "error code {v}"),
    "UPPERCASE": ("{v}: the app is slow", "subject: {v}", "status changed to {v}", "{v} - please read"),
    "MEASURE": ("the parcel weighs {v}", "screen is {v}", "speed {v}"),
}

UPPERCASE_WORDS = (
    "FEEDBACK", "CONFIRMED", "DELIVERED", "CANCELLED", "REFUNDED", "ESCALATE", "IMPORTANT", "REMINDER", "QUESTION",
    "COMPLAINT", "DRINGEND", "BESTELLT", "ERLEDIGT", "RECLAMATION", "ANNULATION", "BACKORDER", "PROCESSING",
    "DEADLINE", "OVERDUE", "SHIPPING", "ARCHIVED", "DUPLICATE", "APPROVED", "REJECTED", "ATTENTION", "STRATEGIC",
    "TRANSFER", "ACCOUNTS", "PRIORITY", "SECURITY", "PASSWORD", "TRANSACTION",
)  # fmt: skip


# ---- value generators -------------------------------------------------------------------------------------


def _until(
    rng: random.Random, make: Callable[[random.Random], str], ok: Callable[[str], bool], tries: int = 20000
) -> str:
    for _ in range(tries):
        value = make(rng)
        if ok(value):
            return value
    raise RuntimeError("generator found no valid value")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _date6(
    rng: random.Random, order: str = "ymd", year_range: tuple[int, int] = (1940, 1999)
) -> tuple[str, int, int, int]:
    year = rng.randint(*year_range)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    parts = {"y": f"{year % 100:02d}", "m": f"{month:02d}", "d": f"{day:02d}"}
    return "".join(parts[c] for c in order), year, month, day


def _luhn_complete(body: str) -> str:
    from stdnum import luhn

    return body + luhn.calc_check_digit(body)


def national_id(rng: random.Random, locale: str, faker: Any) -> tuple[str, str, bool]:
    """(value, label, needs_label) for one national identity number of the locale's country."""
    from stdnum.at import vnr
    from stdnum.be import nn
    from stdnum.bg import egn
    from stdnum.cz import rc
    from stdnum.de import idnr
    from stdnum.dk import cpr
    from stdnum.ee import ik
    from stdnum.es import dni, nie
    from stdnum.fi import hetu
    from stdnum.fr import nir
    from stdnum.gb import nhs
    from stdnum.gr import amka
    from stdnum.hr import oib
    from stdnum.ie import pps
    from stdnum.it import codicefiscale
    from stdnum.lt import asmens
    from stdnum.lv import pvn
    from stdnum.nl import bsn
    from stdnum.pl import pesel
    from stdnum.pt import cc
    from stdnum.ro import cnp
    from stdnum.se import personnummer
    from stdnum.si import emso
    from stdnum.us import ssn

    from scrubber.detectors.checksums import nino_ok

    country = locale.split("_")[1]
    if country == "US":
        value = _until(
            rng, lambda r: f"{r.randint(1, 899):03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}", ssn.is_valid
        )
        if rng.random() < 0.25:
            return value.replace("-", ""), rng.choice(("SSN", "social security number")), True
        return value, rng.choice(("SSN", "social security number", "SSN#")), False
    if country == "GB":
        if rng.random() < 0.7:
            value = _until(
                rng,
                lambda r: (
                    r.choice("ABCEGHJKLMNOPRSTWXYZ")
                    + r.choice("ABCEGHJKLMNPRSTWXYZ")
                    + _digits(r, 6)
                    + r.choice("ABCD")
                ),
                nino_ok,
            )
            if rng.random() < 0.5:
                value = f"{value[:2]} {value[2:4]} {value[4:6]} {value[6:8]} {value[8]}"
            return value, rng.choice(("NI number", "National Insurance number", "NINO")), False
        value = _until(rng, lambda r: _digits(r, 10), nhs.is_valid)
        return f"{value[:3]} {value[3:6]} {value[6:]}", rng.choice(("NHS number", "NHS no")), True
    if country == "IE":
        value = _until(rng, lambda r: _digits(r, 7) + r.choice("ABCDEFGHIJKLMNOPQRSTUVW"), pps.is_valid)
        return value, rng.choice(("PPS number", "PPS")), False
    if country == "DE":
        value = _until(rng, lambda r: r.choice("123456789") + _digits(r, 10), idnr.is_valid)
        return value, rng.choice(("Steuer-ID", "steuerliche Identifikationsnummer", "IdNr")), True
    if country == "AT":

        def make_vnr(r: random.Random) -> str:
            serial = f"{r.randint(100, 999)}"
            date = _date6(r, "dmy")[0]
            return serial + vnr.calc_check_digit(serial + "0" + date) + date

        value = _until(rng, make_vnr, vnr.is_valid)
        return value, rng.choice(("SVNR", "Sozialversicherungsnummer", "Versicherungsnummer")), True
    if country == "FR":
        value = _until(rng, lambda r: faker.ssn(), nir.is_valid)
        if rng.random() < 0.5:
            value = f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} {value[13:]}"
        return value, rng.choice(("numéro de sécurité sociale", "NIR", "numéro de sécu")), False
    if country == "BE":

        def make_nn(r: random.Random) -> str:
            date = _date6(r, "ymd")[0]
            body = date + f"{r.randint(1, 997):03d}"
            return body + f"{97 - int(body) % 97:02d}"

        value = _until(rng, make_nn, nn.is_valid)
        if rng.random() < 0.5:
            return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}", "numéro national", False
        return value, rng.choice(("rijksregisternummer", "numéro national")), True
    if country == "ES":
        if rng.random() < 0.6:
            value = _until(rng, lambda r: _digits(r, 8) + r.choice(string.ascii_uppercase), dni.is_valid)
            return value, "DNI", False
        value = _until(rng, lambda r: r.choice("XYZ") + _digits(r, 7) + r.choice(string.ascii_uppercase), nie.is_valid)
        return value, "NIE", False
    if country == "IT":
        value = _until(rng, lambda r: faker.ssn(), codicefiscale.is_valid)
        return value, rng.choice(("codice fiscale", "CF")), False
    if country == "NL":
        value = _until(rng, lambda r: _digits(r, 9), bsn.is_valid)
        return value, rng.choice(("BSN", "burgerservicenummer")), True
    if country == "PL":

        def make_pesel(r: random.Random) -> str:
            body = _date6(r)[0] + _digits(r, 4)
            return body + pesel.calc_check_digit(body)

        return _until(rng, make_pesel, pesel.is_valid), rng.choice(("PESEL", "numer PESEL")), True
    if country == "SE":

        def make_pnr(r: random.Random) -> str:
            body = _date6(r)[0] + _digits(r, 3)
            return _luhn_complete(body)

        value = _until(rng, make_pnr, personnummer.is_valid)
        if rng.random() < 0.7:
            return f"{value[:6]}-{value[6:]}", "personnummer", False
        return value, "personnummer", True
    if country == "DK":
        value = _until(rng, lambda r: _date6(r, "dmy")[0] + "-" + _digits(r, 4), cpr.is_valid)
        return value, rng.choice(("CPR-nummer", "CPR")), True
    if country == "FI":

        def make_hetu(r: random.Random) -> str:
            date = _date6(r, "dmy")[0]
            serial = f"{r.randint(2, 899):03d}"
            return date + "-" + serial + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(date + serial) % 31]

        return _until(rng, make_hetu, hetu.is_valid), rng.choice(("henkilötunnus", "hetu")), False
    if country == "PT":

        def make_cc(r: random.Random) -> str:
            body = _digits(r, 9) + r.choice(string.ascii_uppercase) + r.choice(string.ascii_uppercase)
            return body + cc.calc_check_digit(body)

        value = _until(rng, make_cc, cc.is_valid)
        return f"{value[:8]} {value[8]} {value[9:]}", "cartão de cidadão", False
    if country in ("CZ", "SK"):

        def make_rc(r: random.Random) -> str:
            date, _, month, _ = _date6(r, "ymd", (1960, 1999))
            if r.random() < 0.5:
                date = date[:2] + f"{month + 50:02d}" + date[4:]
            return date + _digits(r, 4)

        value = _until(rng, make_rc, rc.is_valid)
        return f"{value[:6]}/{value[6:]}", rng.choice(("rodné číslo", "RČ")), False
    if country == "RO":

        def make_cnp(r: random.Random) -> str:
            body = r.choice("12") + _date6(r)[0] + f"{r.randint(1, 46):02d}" + _digits(r, 3)
            return body + cnp.calc_check_digit(body)

        return _until(rng, make_cnp, cnp.is_valid), "CNP", True
    if country == "BG":

        def make_egn(r: random.Random) -> str:
            body = _date6(r)[0] + _digits(r, 3)
            return body + egn.calc_check_digit(body)

        return _until(rng, make_egn, egn.is_valid), rng.choice(("ЕГН", "EGN")), True
    if country == "HR":
        return _until(rng, lambda r: _digits(r, 11), oib.is_valid), "OIB", True
    if country == "SI":

        def make_emso(r: random.Random) -> str:
            _, year, month, day = _date6(r)
            body = f"{day:02d}{month:02d}{year % 1000:03d}50{r.randint(0, 499):03d}"
            return body + emso.calc_check_digit(body)

        return _until(rng, make_emso, emso.is_valid), rng.choice(("EMŠO", "EMSO")), True
    if country in ("EE", "LT"):
        module = ik if country == "EE" else asmens

        def make_ik(r: random.Random) -> str:
            body = r.choice("3456") + _date6(r)[0] + _digits(r, 3)
            return body + str(module.calc_check_digit(body))

        label = "isikukood" if country == "EE" else "asmens kodas"
        return _until(rng, make_ik, module.is_valid), label, True
    if country == "LV":
        value = _until(rng, lambda r: faker.ssn(), pvn.is_valid)
        return value, "personas kods", False
    if country == "GR":
        value = _until(rng, lambda r: _luhn_complete(_date6(r, "dmy")[0] + _digits(r, 4)), amka.is_valid)
        return value, "ΑΜΚΑ", True
    # hu_HU and anything else: a US SSN written by a Hungarian user (python-stdnum has no Hungarian id)
    value = _until(
        rng, lambda r: f"{r.randint(1, 899):03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}", ssn.is_valid
    )
    return value, "SSN", False


def phone(rng: random.Random, locale: str) -> tuple[str, bool]:
    """(number in one of the usual formats, whether it needs a label) for the locale's country."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    region = locale.split("_")[1]
    kind = rng.choice((PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE))
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    assert example is not None
    national = phonenumbers.national_significant_number(example)

    def mutate(r: random.Random) -> str:
        keep = max(2, len(national) - r.choice((3, 4, 5)))
        return national[:keep] + _digits(r, len(national) - keep)

    def valid(n: str) -> bool:
        number = phonenumbers.parse("+" + str(example.country_code) + n, None)
        return bool(phonenumbers.is_valid_number(number))

    digits = _until(rng, mutate, valid)
    number = phonenumbers.parse("+" + str(example.country_code) + digits, None)
    style = rng.choice(("e164", "intl", "intl", "intl_dash", "00", "national", "national", "national_raw"))
    if style == "e164":
        return phonenumbers.format_number(number, PhoneNumberFormat.E164), False
    if style == "intl":
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), False
    if style == "intl_dash":
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL).replace(" ", "-").replace(
            "+", "+", 1
        ), False
    if style == "00":
        return "00" + phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)[1:], False
    formatted = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if style == "national_raw":
        return "".join(ch for ch in formatted if ch.isdigit()), True
    return formatted, False


def _bech32_encode(hrp: str, witver: int, program: bytes) -> str:
    from scrubber.detectors.checksums import _BECH32_CHARSET, BECH32_CONST, BECH32M_CONST, _polymod

    acc, bits, data = 0, 0, [witver]
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = BECH32_CONST if witver == 0 else BECH32M_CONST
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _polymod(expanded + data + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_CHARSET[d] for d in data + checksum)


def _base58check(payload: bytes) -> str:
    from scrubber.detectors.checksums import _B58

    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _B58[rem] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def wallet(rng: random.Random) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return _base58check(bytes([rng.choice((0, 5))]) + rng.randbytes(20))
    if choice == 1:
        return _bech32_encode("bc", 0, rng.randbytes(rng.choice((20, 32))))
    if choice == 2:
        return _bech32_encode("bc", 1, rng.randbytes(32))
    value = "0x" + rng.randbytes(20).hex()
    return value if rng.random() < 0.6 else "0x" + value[2:].upper()


def imei(rng: random.Random, sv: bool) -> str:
    tac = rng.choice(("35", "86", "01", "99", "35", "35")) + _digits(rng, 6)
    serial = _digits(rng, 6)
    if sv:
        value = tac + serial + f"{rng.randint(0, 99):02d}"
        return value
    value = _luhn_complete(tac + serial)
    if rng.random() < 0.3:
        return f"{value[:2]}-{value[2:8]}-{value[8:14]}-{value[14]}"
    return value


IMSI_PREFIXES = ("26201", "26202", "26203", "20801", "20810", "23415", "23410", "22201", "21407", "20404", "26001",
                 "24001", "23801", "24405", "26801", "23001", "22610", "21670", "20205", "28401", "21901", "29340",
                 "24801", "24701", "24601", "27201", "31015", "310260", "311480")  # fmt: skip


def imsi(rng: random.Random) -> str:
    prefix = rng.choice(IMSI_PREFIXES)
    return prefix + _digits(rng, 15 - len(prefix))


def mac(rng: random.Random) -> str:
    octets = rng.randbytes(6)
    style = rng.randrange(4)
    if style == 0:
        return ":".join(f"{b:02x}" for b in octets)
    if style == 1:
        return ":".join(f"{b:02X}" for b in octets)
    if style == 2:
        return "-".join(f"{b:02X}" for b in octets)
    h = octets.hex()
    return f"{h[:4]}.{h[4:8]}.{h[8:]}"


def ip(rng: random.Random) -> tuple[str, str]:
    """(text as written, the address part that must go)."""
    if rng.random() < 0.5:
        while True:
            address = ipaddress.IPv4Address(rng.getrandbits(32))
            if address.is_global:
                break
        text = str(address)
        return (f"{text}:{rng.randint(1024, 65535)}" if rng.random() < 0.2 else text), text
    hextets = [rng.choice((0x2001, 0x2A02, 0x2A01, 0x2600, 0x2003)), rng.getrandbits(16)] + [
        rng.getrandbits(16) for _ in range(6)
    ]
    run = rng.randint(0, 4)
    at = rng.randint(2, 8 - run)
    hextets[at : at + run] = [0] * run
    address6 = ipaddress.IPv6Address(int("".join(f"{h:04x}" for h in hextets), 16))
    style = rng.randrange(6)
    if style == 0:
        text = address6.exploded
    elif style == 1:
        text = address6.compressed
    elif style == 2:
        text = str(ipaddress.IPv6Address((0xFE80 << 112) | rng.getrandbits(64))) + "%eth0"
    elif style == 3:
        text = "::ffff:" + str(ipaddress.IPv4Address(rng.getrandbits(32)))
    elif style == 4:
        text = address6.compressed.upper()
    else:
        text = str(ipaddress.IPv6Address(0x2001_0DB8 << 96 | rng.getrandbits(16)))
    if rng.random() < 0.2 and "%" not in text:
        return f"[{text}]:{rng.choice((443, 8443, 51234))}", text
    return text, text


def coordinates(rng: random.Random) -> str:
    lat = rng.uniform(35, 70) * rng.choice((1, 1, 1, -1))
    lon = rng.uniform(-10, 30)
    style = rng.randrange(4)
    if style == 0:
        return f"{lat:.{rng.randint(4, 6)}f}, {lon:.{rng.randint(4, 6)}f}"
    if style == 1:
        return f"{abs(lat):.4f}° {'N' if lat > 0 else 'S'}, {abs(lon):.4f}° {'E' if lon > 0 else 'W'}"
    if style == 2:

        def dms(x: float) -> str:
            d = int(abs(x))
            m = int((abs(x) - d) * 60)
            s = round(((abs(x) - d) * 60 - m) * 60)
            return f"{d}°{m}'{min(s, 59)}\""

        return f"{dms(lat)}{'N' if lat > 0 else 'S'} {dms(lon)}{'E' if lon > 0 else 'W'}"
    return f"{lat:.5f},{lon:.5f}"


WMIS = ("WVW", "WBA", "WDB", "WDD", "VF1", "VF3", "VF7", "ZFA", "ZAR", "SAJ", "SAL", "YV1", "TMB", "VSS", "WAU",
        "1HG", "1FT", "2T1", "JHM", "KMH", "5YJ", "WP0", "UU1", "TRU", "ZFF")  # fmt: skip
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def vin(rng: random.Random) -> str:
    from scrubber.detectors.vehicle import check_digit_ok

    wmi = rng.choice(WMIS)
    body = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    year_plant = rng.choice("ABCDEFGHJKLMNPRSTVWXY123456789") + rng.choice(VIN_CHARS)
    serial = rng.choice(VIN_CHARS) + rng.choice(VIN_CHARS) + _digits(rng, 4)
    if wmi[0] in "12345JK" or rng.random() < 0.3:
        for check in "0123456789X":
            value = wmi + body + check + year_plant + serial
            if check_digit_ok(value):
                return value
    return wmi + body + rng.choice("Z0123456789") + year_plant + serial


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def secret(rng: random.Random) -> tuple[str, str]:
    """(text as written, the secret part that must go)."""
    alnum = string.ascii_letters + string.digits

    def token(n: int, alphabet: str = alnum) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    style = rng.randrange(10)
    if style == 0:
        value = token(40, alnum + "-._")
        return f"Authorization: Bearer {value}", value
    if style == 1:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(json.dumps({"sub": token(10), "iat": rng.randint(10**9, 2 * 10**9)}).encode())
        value = f"{header}.{payload}.{_b64url(rng.randbytes(32))}"
        return value, value
    if style == 2:
        value = "sk-proj-" + token(48, alnum + "-_")
        return value, value
    if style == 3:
        value = "AKIA" + token(16, string.ascii_uppercase + string.digits)
        return value, value
    if style == 4:
        value = "ghp_" + token(36)
        return value, value
    if style == 5:
        value = f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-{token(24)}"
        return value, value
    if style == 6:
        value = "AIza" + token(35, alnum + "-_")
        return value, value
    if style == 7:
        value = "hf_" + token(34)
        return value, value
    if style == 8:
        value = "sk_live_" + token(24)
        return value, value
    value = token(rng.randint(8, 16), alnum + "!#%&*")
    return f"{rng.choice(('password', 'Passwort', 'pwd', 'api_key'))}={value}", value


def tracking_url(rng: random.Random, faker: Any) -> str:
    from scrubber.tracking import TRACKING_PARAMS

    host = faker.domain_name()
    path = "/" + "/".join(faker.uri_path(deep=rng.randint(1, 3)).split("/"))
    params = (
        [f"{rng.choice(('id', 'q', 'page', 'lang', 'ref_id'))}={rng.randint(1, 999)}"] if rng.random() < 0.5 else []
    )
    for name in rng.sample(
        [p for p in TRACKING_PARAMS if "*" not in p] + ["utm_source", "utm_medium", "utm_campaign"], rng.randint(1, 3)
    ):
        params.append(f"{name}={token_like(rng)}")
    rng.shuffle(params)
    scheme = rng.choice(("https://", "https://", "http://", "https://www."))
    return f"{scheme}{host}{path.replace('//', '/')}?{'&'.join(params)}"


def token_like(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(rng.randint(4, 24)))


def handle(rng: random.Random, faker: Any) -> tuple[str, bool]:
    user = faker.user_name().replace("-", "_")
    style = rng.randrange(3)
    if style == 0:
        return f"@{user.lower()}:{rng.choice(('matrix.org', 'tchncs.de', 'example.eu', 'chat.mozilla.org'))}", False
    if style == 1:
        return f"@{user}@{rng.choice(('mastodon.social', 'chaos.social', 'fosstodon.org', 'mstdn.io'))}", False
    return f"@{user}", True


def benign(rng: random.Random, kind: str, faker: Any) -> str:
    from stdnum import luhn

    from scrubber.detectors.checksums import iban_ok

    if kind == "ORDER_NUMBER":
        style = rng.randrange(4)
        if style == 0:
            return _digits(rng, rng.randint(6, 14)).lstrip("0") or "1"
        if style == 1:
            return f"{rng.choice(('AB', 'ORD', 'INV', 'DE'))}-{rng.randint(2019, 2026)}-{_digits(rng, 6)}"
        if style == 2:
            return f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}"
        return "#" + _digits(rng, rng.randint(5, 10))
    if kind == "DATE":
        d = faker.date_between(start_date=years_from_anchor(-5), end_date=years_from_anchor(1))
        return str(
            rng.choice(
                (
                    d.isoformat(),
                    d.strftime("%d.%m.%Y"),
                    d.strftime("%m/%d/%Y"),
                    d.strftime("%d %B %Y"),
                    d.strftime("%B %d, %Y"),
                    d.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    d.strftime("%d/%m/%y"),
                )
            )
        )
    if kind == "TIME":
        return rng.choice(
            (
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{_digits(rng, 3)}",
            )
        )
    if kind == "VERSION":
        return rng.choice(
            (
                f"v{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}",
                f"{rng.randint(1, 20)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}",
                f"{rng.randint(1, 20)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}-rc{rng.randint(1, 5)}",
                f"ft:llama-2-7b:acme:{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}",
                f"{rng.randint(10, 16)}.{rng.randint(0, 9)}.{rng.randint(1000, 25000)}",
            )
        )
    if kind == "GIT_SHA":
        return rng.randbytes(20).hex()[: rng.choice((7, 8, 12, 40))]
    if kind == "AMOUNT":
        value = rng.uniform(1, 2_000_000)
        return rng.choice(
            (
                f"€{value:,.2f}",
                f"${value:,.2f}",
                f"{value:,.2f} EUR".replace(",", " "),
                f"{value:,.2f} €".replace(",", "X").replace(".", ",").replace("X", "."),
                f"£{value:,.0f}",
                f"CHF {value:,.2f}".replace(",", "'"),
                f"{int(value)} zł",
            )
        )
    if kind == "ISBN":
        body = "978" + _digits(rng, 9)
        check = str((10 - sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(body)) % 10) % 10)
        isbn = body + check
        return rng.choice((isbn, f"{isbn[:3]}-{isbn[3]}-{isbn[4:7]}-{isbn[7:12]}-{isbn[12]}"))
    if kind == "LUHN_FAIL":

        def bad(r: random.Random) -> str:
            return r.choice("3456") + _digits(r, r.choice((14, 15, 15, 18)))

        bad_luhn = _until(rng, bad, lambda v: not luhn.is_valid(v))
        if rng.random() < 0.5 and len(bad_luhn) == 16:
            bad_luhn = " ".join(bad_luhn[i : i + 4] for i in range(0, 16, 4))
        return bad_luhn
    if kind == "MOD97_FAIL":
        valid = str(faker.iban())

        def bad97(r: random.Random) -> str:
            return valid[:2] + f"{r.randint(2, 98):02d}" + valid[4:]

        bad_iban = _until(rng, bad97, lambda v: not iban_ok(v))
        if rng.random() < 0.5:
            bad_iban = " ".join(bad_iban[i : i + 4] for i in range(0, len(bad_iban), 4))
        return bad_iban
    if kind == "PORT":
        return str(rng.choice((22, 80, 443, 5432, 6379, 8080, 8443, 9090, 27017, 3306, 51234)))
    if kind == "STATUS":
        return str(rng.choice((200, 201, 204, 301, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504)))
    if kind == "UPPERCASE":
        return rng.choice(UPPERCASE_WORDS)
    if kind == "MEASURE":
        return rng.choice(
            (
                f"{rng.uniform(0.1, 40):.1f} kg",
                f"{rng.randint(1024, 3840)}x{rng.randint(600, 2160)}",
                f"{rng.uniform(1, 300):.2f} km/h",
                f"{rng.randint(1, 99)}%",
                f"{rng.uniform(10, 99):.3f} ms",
            )
        )
    raise ValueError(kind)


# ---- case assembly ----------------------------------------------------------------------------------------


@dataclass
class Builder:
    """Concatenates text pieces and records where planted and benign values land."""

    text: str = ""
    planted: list[dict[str, Any]] = field(default_factory=list)
    benign: list[dict[str, Any]] = field(default_factory=list)

    def add(self, piece: str) -> None:
        self.text += piece

    def frame(
        self, frame: str, value: str, kind: str, target: list[dict[str, Any]], inner: str | None = None, **labels: str
    ) -> None:
        """Add ``frame`` with ``{v}`` replaced by ``value``; record ``inner`` (default: all of value) as kind."""
        before, after = frame.split("{v}", 1)
        before = before.format(**labels) if labels else before
        after = after.format(**labels) if labels else after
        self.add(before)
        start = len(self.text) + (value.index(inner) if inner else 0)
        self.add(value)
        part = inner or value
        target.append({"kind": kind, "start": start, "end": start + len(part), "value": part})
        self.add(after)


def _pick(rng: random.Random, table: dict[str, tuple[str, ...]], lang: str) -> str:
    return rng.choice(table.get(lang) or table.get("*") or table["en"])


def _label(rng: random.Random, kind: str, lang: str) -> str:
    table = LABELS[kind]
    return rng.choice(table.get(lang) or table.get("*") or table["en"])


def years_from_anchor(years: int) -> dt.date:
    """``ANCHOR`` moved by whole years, the way Faker reads ``"-5y"`` (365.24 days a year)."""
    return ANCHOR + dt.timedelta(days=365.24 * years)


class _AnchoredDate(dt.date):
    @classmethod
    def today(cls) -> Self:
        return cls(ANCHOR.year, ANCHOR.month, ANCHOR.day)


class _AnchoredDateTime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> Self:
        return cls(ANCHOR.year, ANCHOR.month, ANCHOR.day, 12, tzinfo=tz)

    @classmethod
    def today(cls) -> Self:
        return cls.now()


@contextlib.contextmanager
def anchored_faker_clock() -> Iterator[None]:
    """Faker's providers that ``import datetime`` (the Latvian, Finnish, Swedish ... ``ssn()``) see ``ANCHOR``
    as today inside this block. Only their module reference is swapped, so isinstance checks elsewhere hold."""
    clock = types.ModuleType("datetime")
    clock.__dict__.update(vars(dt))
    clock.date = _AnchoredDate  # type: ignore[attr-defined]
    clock.datetime = _AnchoredDateTime  # type: ignore[attr-defined]
    swapped: dict[types.ModuleType, Any] = {}
    for name, module in list(sys.modules.items()):
        current = getattr(module, "datetime", None)
        if name.startswith("faker.") and isinstance(current, types.ModuleType) and current.__name__ == "datetime":
            swapped[module] = current
    for module in swapped:
        setattr(module, "datetime", clock)  # noqa: B010
    try:
        yield
    finally:
        for module, previous in swapped.items():
            setattr(module, "datetime", previous)  # noqa: B010


class CorpusGenerator:
    def __init__(self, seed: int = SEED) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fakers: dict[str, Any] = {}
        for i, locale in enumerate(LOCALES + FOREIGN_NAME_LOCALES):
            faker = Faker(locale)
            faker.seed_instance(seed + i)
            self.fakers[locale] = faker
        from scrubber.detectors.person_lexicon import load

        self.first, self.last, _ = load()

    def faker(self, locale: str) -> Any:
        return self.fakers[locale]

    def _filler(self, b: Builder, lang: str) -> None:
        if self.rng.random() < 0.5:
            b.add(_pick(self.rng, FILLERS, lang) + " ")

    def _benign_tail(self, b: Builder, locale: str, count: int) -> None:
        for _ in range(count):
            kind = self.rng.choice(BENIGN_KINDS)
            value = benign(self.rng, kind, self.faker(locale))
            b.add(self.rng.choice((" ", "\n", " - ")))
            b.frame(self.rng.choice(BENIGN_FRAMES[kind]), value, kind, b.benign)

    def identifier_case(self, kind: str, locale: str) -> Builder:
        rng = self.rng
        lang = _lang(locale)
        frames_lang = lang if lang in FRAMES else "en"
        faker = self.faker(locale)
        b = Builder()
        self._filler(b, frames_lang)
        needs_label = False
        inner: str | None = None
        label_kind = kind
        if kind == "EMAIL":
            value = rng.choice(
                (
                    faker.email(),
                    faker.free_email(),
                    faker.company_email(),
                    faker.user_name() + "+" + faker.word() + "@" + faker.free_email_domain(),
                )
            )
            if rng.random() < 0.1:
                value = value.upper()
        elif kind == "PHONE":
            value, needs_label = phone(rng, locale)
        elif kind == "IBAN":
            value = faker.iban()
            if rng.random() < 0.6:
                value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        elif kind == "BIC":
            value = faker.swift(length=rng.choice((8, 11)))
            needs_label = not any(ch.isdigit() for ch in value[6:]) and value[8:] != "XXX"
        elif kind == "CARD":
            value = self.faker("en_US").credit_card_number(
                card_type=rng.choice(
                    ("visa16", "visa19", "mastercard", "amex", "discover", "jcb16", "diners", "maestro", "visa13")
                )
            )
            if rng.random() < 0.6:
                step = (4, 6, 5) if len(value) == 15 else (4,) * 5
                parts, pos = [], 0
                for n in step:
                    if pos < len(value):
                        parts.append(value[pos : pos + n])
                        pos += n
                if pos < len(value):
                    parts.append(value[pos:])
                value = rng.choice((" ", "-")).join(parts)
        elif kind == "IMEI":
            sv = rng.random() < 0.25
            value = imei(rng, sv)
            needs_label = True
            label_kind = "IMEI_SV" if sv else "IMEI"
        elif kind == "IMSI":
            value, needs_label = imsi(rng), True
        elif kind == "MAC":
            value = mac(rng)
        elif kind == "UUID":
            value = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            value = rng.choice((value, value.upper(), "{" + value.upper() + "}"))
        elif kind == "IP":
            value, inner = ip(rng)
        elif kind == "CRYPTO_WALLET":
            value = wallet(rng)
        elif kind == "SIP_URI":
            user = rng.choice((faker.user_name(), "+" + str(rng.randint(10**10, 10**12))))
            host = rng.choice(("ims.", "voip.", "sip.", "")) + faker.domain_name()
            value = f"{rng.choice(('sip', 'sip', 'sips'))}:{user}@{host}"
            if rng.random() < 0.3:
                value += rng.choice((";user=phone", ":5061", ";transport=tls"))
        elif kind == "HANDLE":
            value, needs_label = handle(rng, faker)
        elif kind == "COORDINATES":
            value = coordinates(rng)
        elif kind == "NATIONAL_ID":
            value, label, needs_label = national_id(rng, locale, faker)
            frame = rng.choice(FRAMES[frames_lang][:3]) if needs_label or rng.random() < 0.6 else "{v}"
            if "{label}" not in frame and frame != "{v}":
                frame = "{label} {v}"
            if frame == "{v}":
                frame = rng.choice(("please update {v} in my profile", "ok: {v}", "{v} is mine"))
            b.frame(frame, value, kind, b.planted, None, label=label)
            self._benign_tail(b, locale, rng.randint(0, 2))
            return b
        elif kind == "VIN":
            value = vin(rng)
        elif kind == "SECRET":
            value, inner = secret(rng)
        elif kind == "URL":
            value = tracking_url(rng, faker)
        else:
            raise ValueError(kind)
        frames = FRAMES[frames_lang]
        frame = rng.choice(frames[:3]) if needs_label else rng.choice(frames)
        b.frame(frame, value, kind, b.planted, inner, label=_label(rng, label_kind, frames_lang))
        self._benign_tail(b, locale, rng.randint(0, 2))
        return b

    def _name(self, locale: str) -> tuple[str, str, str, bool]:
        """(first, last, full, every token in the lexicon)."""
        rng = self.rng
        faker = self.faker(locale)
        first = faker.first_name()
        last = faker.last_name()
        if rng.random() < 0.1 and locale.startswith(("nl", "de")):
            last = rng.choice(("van der ", "van ", "von ", "de ")) + last
        full = f"{first} {last}"
        tokens = [t for t in full.replace("-", " ").split() if t[:1].isupper()]
        in_lexicon = all(t in self.first or t in self.last for t in tokens)
        return first, last, full, in_lexicon

    def _foreign_name(self) -> tuple[str, str, str, bool]:
        rng = self.rng
        for _ in range(200):
            faker = self.faker(rng.choice(FOREIGN_NAME_LOCALES))
            first, last = faker.first_name(), faker.last_name()
            tokens = f"{first} {last}".split()
            if all(t.isalpha() and t[:1].isupper() for t in tokens) and not any(
                t in self.first or t in self.last for t in tokens
            ):
                return first, last, f"{first} {last}", False
        raise RuntimeError("no out-of-lexicon name found")

    def name_case(self, locale: str, foreign: bool, heldout: int = 0) -> Builder:
        rng = self.rng
        lang = _lang(locale)
        lang = lang if lang in NAME_FRAMES["greeting"] else "en"
        first, last, full, in_lexicon = self._foreign_name() if foreign else self._name(locale)
        style = "heldout" if heldout else rng.choice(("greeting", "intro", "signature", "title", "mid", "mid"))
        b = Builder()
        lower = style == "intro" and lang in LOWER_INTRO and rng.random() < 0.08
        if lower:
            frame = LOWER_INTRO[lang]
            full = full.lower()
        elif heldout:
            table = HELDOUT_FRAMES if heldout == 1 else HELDOUT2_FRAMES
            frame = rng.choice(table[lang] + table["en"] if lang != "en" else table["en"])
        else:
            frame = rng.choice(NAME_FRAMES[style].get(lang) or NAME_FRAMES[style]["en"])
        second = self._name(locale) if "{full2}" in frame else None
        self._filler(b, lang if lang in FILLERS else "en")
        # Split the frame on placeholders and record each name.
        pos = 0
        while pos < len(frame):
            nxt = frame.find("{", pos)
            if nxt < 0:
                b.add(frame[pos:])
                break
            b.add(frame[pos:nxt])
            close = frame.index("}", nxt)
            slot = frame[nxt + 1 : close]
            value = {"first": first, "last": last, "full": full, "full2": second[2] if second else ""}[slot]
            lexicon = in_lexicon if slot != "full2" else bool(second and second[3])
            start = len(b.text)
            b.add(value)
            b.planted.append(
                {
                    "kind": "PERSON",
                    "start": start,
                    "end": start + len(value),
                    "value": value,
                    "lexicon": lexicon,
                    "style": (f"heldout{heldout}" if heldout else style) + ("_lower" if lower else ""),
                }
            )
            pos = close + 1
        self._benign_tail(b, locale, rng.randint(0, 1))
        return b

    def benign_case(self, locale: str) -> Builder:
        b = Builder()
        lang = _lang(locale)
        self._filler(b, lang if lang in FILLERS else "en")
        self._benign_tail(b, locale, self.rng.randint(2, 4))
        return b

    def generate(self, per_kind: int = 220, names: int = 1400, benign_only: int = 500) -> list[dict[str, Any]]:
        with anchored_faker_clock():
            return self._generate(per_kind, names, benign_only)

    def generate_heldout(self, names: int = 800) -> list[dict[str, Any]]:
        with anchored_faker_clock():
            return self._generate_heldout(names)

    def _generate(self, per_kind: int, names: int, benign_only: int) -> list[dict[str, Any]]:
        rng = self.rng
        cases: list[dict[str, Any]] = []

        def emit(b: Builder, locale: str, group: str) -> None:
            for span in b.planted + b.benign:
                assert b.text[span["start"] : span["end"]] == span["value"], (b.text, span)
            cases.append(
                {
                    "id": f"{group}-{len(cases):05d}",
                    "locale": locale,
                    "group": group,
                    "text": b.text,
                    "planted": b.planted,
                    "benign": b.benign,
                }
            )

        for kind in PATTERN_KINDS:
            for i in range(per_kind):
                locale = LOCALES[(i + PATTERN_KINDS.index(kind)) % len(LOCALES)]
                emit(self.identifier_case(kind, locale), locale, kind.lower())
        for i in range(names):
            locale = LOCALES[i % len(LOCALES)]
            emit(self.name_case(locale, foreign=rng.random() < 0.2), locale, "person")
        for i in range(benign_only):
            locale = LOCALES[i % len(LOCALES)]
            emit(self.benign_case(locale), locale, "benign")
        return cases

    def _generate_heldout(self, names: int) -> list[dict[str, Any]]:
        """Name cases from the two held-out frame sets (``group`` person_heldout1 / person_heldout2)."""
        cases: list[dict[str, Any]] = []
        for i in range(names):
            locale = LOCALES[i % len(LOCALES)]
            which = 1 + i % 2
            b = self.name_case(locale, foreign=self.rng.random() < 0.2, heldout=which)
            cases.append(
                {
                    "id": f"heldout{which}-{i:05d}",
                    "locale": locale,
                    "group": f"person_heldout{which}",
                    "text": b.text,
                    "planted": b.planted,
                    "benign": b.benign,
                }
            )
        return cases


def write(path: Path = DEFAULT_PATH, seed: int = SEED, heldout_path: Path | None = HELDOUT_PATH) -> int:
    if heldout_path is not None:
        _dump(CorpusGenerator(HELDOUT_SEED).generate_heldout(), heldout_path)
    return _dump(CorpusGenerator(seed).generate(), path)


def _dump(cases: list[dict[str, Any]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
    return len(cases)


def load(path: Path = DEFAULT_PATH) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as source:
        return [json.loads(line) for line in source if line.strip()]


if __name__ == "__main__":
    count = write()
    print(f"wrote {count} cases to {DEFAULT_PATH}")
