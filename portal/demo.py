"""Demonstration data: `flask --app app seed-demo`. Never loaded unless asked.

Organisations of every stakeholder type, their people, an upcoming WSIS Forum open for
contributions, a draft outcome document of the secretariat and contributions in several
languages in every state, delegations registered to the Forum (one confirmed, one awaiting the
secretariat) and the Forum's draft High-Level Track programme (an opening segment, a policy statements
session with one speaker scheduled and her statement published, three invitations: accepted, declined
and waiting), so that every page of the portal has something to show."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

# escape() writes XML text; nothing is parsed here.
from xml.sax.saxutils import escape  # nosec B406

from flask import current_app
from sqlalchemy import delete, select

from portal.auth.services import create_user
from portal.contributions import services as contributions
from portal.contributions.documents import Details
from portal.extensions import db
from portal.meetings.services import to_utc
from portal.models import (
    GENEVA,
    ActionLine,
    ActivityStatus,
    Gender,
    Language,
    Meeting,
    MeetingStatus,
    MeetingType,
    Membership,
    MembershipStatus,
    OutgoingMail,
    Participation,
    ParticipationMode,
    PartnerRole,
    RegistrationStatus,
    Role,
    Series,
    SessionKind,
    SpeakerRank,
    StakeholderType,
)
from portal.moderation import services as moderation
from portal.organisations.services import create_organisation
from portal.programme import services as programme
from portal.registrations import services as registrations
from portal.stocktaking import services as stocktaking
from portal.uploads import Upload, receive_file

# The demonstration accounts only (seed-demo), never a real account.
DEMO_PASSWORD = "wsis demo password 2027"  # noqa: S105 # nosec B105
MARKER_CODE = "FORUM-2027"

ORGANISATIONS = [
    # name, country, type, verified, people (email, name, focal point)
    ("Ministère de l'Économie numérique et des Postes du Sénégal", "SN", StakeholderType.GOVERNMENT, True,
     [("aminata.ndiaye@demo.sn", "Aminata Ndiaye", True), ("moussa.diop@demo.sn", "Moussa Diop", False)]),
    ("Office fédéral de la communication (OFCOM), Suisse", "CH", StakeholderType.GOVERNMENT, True,
     [("claire.favre@demo.ch", "Claire Favre", True)]),
    ("Ministerio de Tecnologías de la Información de Colombia", "CO", StakeholderType.GOVERNMENT, True,
     [("lucia.restrepo@demo.co", "Lucía Restrepo", True)]),
    ("Civil Society Plenary", "CH", StakeholderType.CIVIL_SOCIETY, True,
     [("sam.okafor@demo.org", "Sam Okafor", True)]),
    ("International Chamber of Commerce", "FR", StakeholderType.PRIVATE_SECTOR, True,
     [("john.miller@demo.org", "John Miller", True)]),
    ("Université de Genève", "CH", StakeholderType.ACADEMIA, True,
     [("elena.rossi@demo.ch", "Elena Rossi", True)]),
    ("Internet Society", "US", StakeholderType.TECHNICAL_COMMUNITY, True,
     [("wei.zhang@demo.org", "Wei Zhang", True)]),
    ("UNESCO", "FR", StakeholderType.INTERNATIONAL_ORGANISATION, True,
     [("irina.petrova@demo.org", "Irina Petrova", True)]),
    ("Réseau des radios communautaires du Sahel", "ML", StakeholderType.CIVIL_SOCIETY, False,
     [("oumar.traore@demo.ml", "Oumar Traoré", True)]),
]

TEXTS = {
    "senegal": (Language.FRENCH, "Réduire la fracture numérique en Afrique de l'Ouest",
                "Propositions du Sénégal pour l'accès universel et abordable aux TIC.",
                ["C2", "C3", "C11"],
                "La société de l'information doit être inclusive. Le Sénégal propose un fonds de "
                "solidarité numérique pour financer l'infrastructure dans les zones rurales.\n\n"
                "Les points d'accès communautaires, les télécentres et les bibliothèques publiques "
                "permettent à chacun d'accéder à l'information et au savoir. La coopération "
                "régionale et internationale est indispensable pour réduire la fracture numérique "
                "entre le Nord et le Sud.\n\nLe Sommet de Genève doit adopter un plan d'action "
                "concret, assorti d'objectifs mesurables d'ici 2015."),
    "switzerland": (Language.FRENCH, "Confiance et sécurité dans l'utilisation des TIC",
                    "Position de la Suisse sur la cybersécurité et la protection des données.",
                    ["C5", "C6"],
                    "La confiance est une condition de la société de l'information. La protection "
                    "des données personnelles, la sécurité des réseaux et la lutte contre la "
                    "cybercriminalité exigent une coopération entre tous les acteurs.\n\nLa Suisse "
                    "soutient un environnement propice fondé sur l'état de droit."),
    "colombia": (Language.SPANISH, "Gobierno electrónico y participación ciudadana",
                 "Experiencias de Colombia en servicios públicos en línea.", ["C7", "C1"],
                 "El gobierno electrónico acerca el Estado a los ciudadanos. Colombia presenta sus "
                 "experiencias en servicios públicos en línea, transparencia y participación.\n\n"
                 "Las sociedades de la información necesitan instituciones abiertas y datos "
                 "públicos accesibles para todos."),
    "civil": (Language.ENGLISH, "Civil society comments on the draft Declaration of Principles",
              "Human rights, community media and multilingualism must be at the heart of the "
              "Declaration.", ["C9", "C8", "C10"],
              "Civil society welcomes the draft Declaration of Principles but asks that freedom of "
              "expression, community media and cultural and linguistic diversity be stated "
              "clearly.\n\nThe information society must be people-centred, inclusive and "
              "development-oriented."),
    "icc": (Language.ENGLISH, "An enabling environment for investment in ICT infrastructure",
            "Business views on regulation, competition and investment.", ["C6", "C2"],
            "Private investment builds most of the world's networks. Predictable regulation, fair "
            "competition and the rule of law create the enabling environment that investment "
            "needs."),
    "unige": (Language.FRENCH, "Renforcement des capacités et e-learning dans les universités",
              "Programmes de formation à distance de l'Université de Genève.", ["C4", "C7"],
              "Le renforcement des capacités passe par l'enseignement à distance. L'université "
              "partage ses cours en ligne avec des universités partenaires en Afrique."),
    "isoc": (Language.ENGLISH, "Internet governance and the technical community",
             "How open standards keep the Internet interoperable.", ["C11", "C2"],
             "Open standards, developed in open processes, keep the Internet interoperable and "
             "resilient. The technical community stands ready to cooperate with governments."),
    "unesco": (Language.RUSSIAN, "Многоязычие и доступ к информации в киберпространстве",
               "Рекомендации ЮНЕСКО о многоязычии.", ["C8", "C3"],
               "Информационное общество должно быть многоязычным. ЮНЕСКО рекомендует развивать "
               "местный контент и доступ к информации на всех языках."),
    "sahel": (Language.FRENCH, "Les radios communautaires au service du développement",
              "Le rôle des médias communautaires dans les zones rurales du Sahel.", ["C9"],
              "Les radios communautaires diffusent l'information en langues locales et donnent "
              "la parole aux populations rurales."),
}


def _docx(title: str, body: str) -> bytes:
    """A minimal, valid Word document."""
    paras = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
        for p in [title, *body.split("\n\n")])
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{paras}</w:body></w:document>")
    types = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def _upload(name: str, title: str, body: str, as_docx: bool) -> Upload:
    data = _docx(title, body) if as_docx else (title + "\n\n" + body + "\n").encode()
    filename = f"{name}.docx" if as_docx else f"{name}.txt"
    return receive_file(io.BytesIO(data), filename)


@dataclass
class DemoSummary:
    created: bool
    users: list[str]


STATEMENT_TEXT = (
    "Déclaration de politique générale du Sénégal au Forum du SMSI. Le Sénégal a fait de l'économie "
    "numérique un pilier de son plan de développement. Nous avons étendu la fibre optique à toutes les "
    "régions, ouvert des espaces numériques dans les communes rurales et formé des milliers de jeunes "
    "aux métiers du numérique.\n\nNous appelons à une coopération renforcée pour financer les "
    "infrastructures et pour que chaque citoyen accède à des services en ligne sûrs et abordables.")


def _programme(forum: Meeting, people: dict, sec) -> None:
    """The Forum's draft High-Level Track: sessions, three invitations, one speaker scheduled."""
    day1, day2 = forum.start_date, forum.start_date + timedelta(days=1)
    programme.save_session(forum, None, programme.SessionData(
        "Opening segment", SessionKind.OPENING, day1, time(9), time(10), room="Room A, CICG",
        chairs="Secretary-General of ITU", description="Welcome addresses by the heads of the UN agencies."), sec)
    statements = programme.save_session(forum, None, programme.SessionData(
        "Policy statements (1)", SessionKind.POLICY_STATEMENTS, day1, time(10), time(12), room="Room A, CICG",
        chairs="Chair of the WSIS Forum", slots=12, slot_minutes=5,
        description="Ministers and high-level representatives deliver their policy statements."), sec)
    programme.save_session(forum, None, programme.SessionData(
        "High-level dialogue: financing digital infrastructure", SessionKind.DIALOGUE, day2, time(14, 30),
        time(15, 45), online=True, online_link="https://meet.example.org/wsis-forum-2027-dialogue",
        chairs="Moderator: Director, Telecommunication Development Bureau"), sec)
    programme.save_session(forum, None, programme.SessionData(
        "WSIS Prizes ceremony", SessionKind.PRIZES, day2, time(17), time(18, 30), room="Room A, CICG"), sec)

    senegal, swiss, colombia = (people[e] for e in ("aminata.ndiaye@demo.sn", "claire.favre@demo.ch",
                                                   "lucia.restrepo@demo.co"))
    deadline = datetime.combine(date.today() + timedelta(days=60), time(23, 59))
    letter = ("Dear {organisation},\n\nOn behalf of the Secretary-General, I have the honour to invite your "
              "organisation to deliver a policy statement in the High-Level Track of the {meeting}. Please "
              "confirm the name and title of your speaker by {deadline}, from the portal or by correspondence.")
    sent = programme.invite(forum, [senegal.organisation, swiss.organisation, colombia.organisation],
                            reference="CL-27/014", letter=letter, deadline_local=deadline, by=sec).sent
    by_org = {inv.organisation_id: inv for inv in sent}
    head = next(p for p in registrations.delegation_of(forum, senegal.organisation).participants if p.is_head)
    statement = programme.accept(by_org[senegal.organisation.id], senegal, programme.Speaker(
        "Aminata Ndiaye", "Ministre de l'Économie numérique et des Postes", Gender.WOMAN, SpeakerRank.MINISTER,
        participant_id=head.id, preferred_day=day1))
    programme.decline(by_org[swiss.organisation.id], swiss,
                      "The Federal Councillor is not available on these dates.")
    # Colombia's invitation waits for an answer.
    programme.upload_text(statement, senegal, Language.FRENCH,
                          _upload("declaration-senegal", "Déclaration du Sénégal", STATEMENT_TEXT, True))
    moderation.publish(statement.contribution.latest_version, sec, confirm_unverified=True)
    programme.assign(statements.slots[0], statement, sec)


# WSIS Stocktaking: (organisation key, email of the member who describes it, language, title, description,
# action lines (main first), SDGs, countries or "global", status, start year, looking for partners, funding)
ACTIVITIES = [
    ("senegal", "aminata.ndiaye@demo.sn", Language.FRENCH, "Télécentres communautaires dans les régions rurales",
     "Le programme installe des télécentres équipés d'un accès à large bande dans les chefs-lieux de "
     "communes rurales.\n\nChaque télécentre forme des jeunes animateurs et offre des services administratifs "
     "en ligne.", ["C2", "C3", "C4"], [9, 4], ["SN"], ActivityStatus.ONGOING, 2008, True, True),
    ("senegal", "aminata.ndiaye@demo.sn", Language.FRENCH, "Fonds de solidarité numérique ouest-africain",
     "Un fonds régional finance l'infrastructure dans les zones que le marché ne dessert pas.",
     ["C11", "C2"], [9, 10, 17], ["SN", "ML", "BF"], ActivityStatus.PLANNED, 2011, False, True),
    ("switzerland", "claire.favre@demo.ch", Language.FRENCH, "Formation à la cybersécurité des PME",
     "Des ateliers gratuits apprennent aux petites entreprises à protéger leurs données et leurs réseaux.",
     ["C5", "C4"], [8, 9], ["CH"], ActivityStatus.COMPLETED, 2006, False, False),
    ("colombia", "lucia.restrepo@demo.co", Language.SPANISH, "Gobierno en línea para los municipios",
     "Los municipios publican sus trámites en línea y responden a los ciudadanos por medios electrónicos.",
     ["C7", "C1"], [16, 11], ["CO"], ActivityStatus.ONGOING, 2007, False, False),
    ("colombia", "lucia.restrepo@demo.co", Language.SPANISH, "Escuelas conectadas en la región andina",
     "Conectividad y formación docente para escuelas rurales de Colombia, Ecuador y Perú.",
     ["C4", "C7", "C2"], [4], ["CO", "EC", "PE"], ActivityStatus.ONGOING, 2009, True, False),
    ("civil", "sam.okafor@demo.org", Language.ENGLISH, "Community media toolkit",
     "A toolkit in six languages for community radio stations: licensing, ethics, local content and "
     "financing.", ["C9", "C8"], [16, 5], "global", ActivityStatus.COMPLETED, 2005, False, False),
    ("icc", "john.miller@demo.org", Language.ENGLISH, "Broadband investment principles for regulators",
     "Guidance for regulators on predictable rules that attract investment in broadband networks, "
     "tested with regulators in Egypt, Tunisia and Jordan.", ["C6", "C2"], [9, 17], ["EG", "TN", "JO"],
     ActivityStatus.ONGOING, 2008, False, False),
    ("unige", "elena.rossi@demo.ch", Language.FRENCH, "Cours en ligne ouverts pour les universités partenaires",
     "L'université partage ses cours de santé publique en ligne avec des universités partenaires.",
     ["C7", "C4"], [3, 4], ["CH", "CM", "BJ"], ActivityStatus.ONGOING, 2009, True, False),
    ("isoc", "wei.zhang@demo.org", Language.ENGLISH, "Internet exchange points in the Asia-Pacific",
     "Technical training and equipment for new Internet exchange points keep local traffic local and "
     "lower its cost.", ["C2", "C11"], [9], ["PH", "NP", "BD"], ActivityStatus.ONGOING, 2007, False, False),
    ("isoc", "wei.zhang@demo.org", Language.CHINESE, "中文域名与多语种互联网",
     "推动中文国际化域名的部署，促进互联网上的语言多样性。", ["C8", "C2"], [9, 10], ["CN"],
     ActivityStatus.COMPLETED, 2004, False, False),
    ("unesco", "irina.petrova@demo.org", Language.RUSSIAN, "Многоязычие в киберпространстве: Центральная Азия",
     "Программа поддерживает создание местного контента на языках Центральной Азии.",
     ["C8", "C3"], [4, 10], ["KZ", "KG", "UZ"], ActivityStatus.ONGOING, 2008, False, False),
    ("unesco", "irina.petrova@demo.org", Language.ENGLISH, "Open educational resources for teachers",
     "Free, openly licensed teaching material, translated and adapted with ministries of education.",
     ["C3", "C4", "C7"], [4], "global", ActivityStatus.ONGOING, 2006, False, False),
]
ORG_KEYS = {"senegal": "Ministère de l'Économie numérique et des Postes du Sénégal",
            "switzerland": "Office fédéral de la communication (OFCOM), Suisse",
            "colombia": "Ministerio de Tecnologías de la Información de Colombia", "civil": "Civil Society Plenary",
            "icc": "International Chamber of Commerce", "unige": "Université de Genève", "isoc": "Internet Society",
            "unesco": "UNESCO"}


def _stocktaking(orgs: dict, people: dict, sec) -> None:
    """A dozen published activities across the regions and action lines (two looking for partners), one
    waiting for the secretariat, and the call of this year."""
    for key, email, lang, title, text, codes, sdgs, where, status, start, partners, funding in ACTIVITIES:
        data = stocktaking.EntryData(
            title=title, description=text, action_lines=codes, main_action_line=codes[0], status=status,
            language=lang, sdgs=sdgs, countries=[] if where == "global" else where, is_global=where == "global",
            start_date=date(start, 1, 1), end_date=date(start + 3, 12, 31) if status == ActivityStatus.COMPLETED
            else None, looking_for_partners=partners, looking_for_funding=funding,
            funding_amount=250_000 if funding and start > 2010 else None,
            funding_currency="USD" if funding and start > 2010 else None,
            contact_role="Programme coordinator", websites=["https://www.example.org/wsis/" + key],
            partners=[stocktaking.PartnerData("UNESCO", PartnerRole.FUNDING, orgs[ORG_KEYS["unesco"]].id)]
            if key == "senegal" else [])
        entry = stocktaking.create(orgs[ORG_KEYS[key]], people[email], data, submit=True)
        stocktaking.publish(entry, sec)
    waiting = stocktaking.EntryData(
        title="Digital skills for women entrepreneurs", description="Training in online trade and payments.",
        action_lines=["C4", "C7"], main_action_line="C4", status=ActivityStatus.PLANNED, language=Language.ENGLISH,
        sdgs=[5, 8], countries=["KE", "GH"])
    stocktaking.create(orgs[ORG_KEYS["civil"]], people["sam.okafor@demo.org"], waiting, submit=True)
    today = date.today()
    stocktaking.open_call(today.year, to_utc(datetime.combine(today + timedelta(days=45), time(23, 59)), GENEVA),
                          "Please confirm or update your activities for this year's Stocktaking report.", sec)


def seed_demo() -> DemoSummary:
    if db.session.scalar(select(Meeting).where(Meeting.code == MARKER_CODE)) is not None:
        return DemoSummary(False, [])
    lines = {al.code: al for al in db.session.scalars(select(ActionLine))}
    if len(lines) != 11:
        raise RuntimeError("Load the reference data first: flask --app app init-db")

    today = date.today()
    forum = Meeting(
        code=MARKER_CODE, title="WSIS Forum 2027", type=MeetingType.FORUM, place="Geneva, Switzerland",
        virtual=False, start_date=today + timedelta(days=160), end_date=today + timedelta(days=164),
        deadline_tz=GENEVA,
        deadline_at=to_utc(datetime.combine(today + timedelta(days=100), datetime.min.time())
                           .replace(hour=23, minute=59), GENEVA),
        accept_late=True, symbol_prefix="WSIS/FORUM-2027", status=MeetingStatus.OPEN,
        description="The annual WSIS Forum. Contributions on all eleven action lines are welcome.")
    db.session.add(forum)
    pc3 = db.session.scalar(select(Meeting).where(Meeting.code == "PC-3"))
    pc3.status = MeetingStatus.OPEN  # opened briefly so that its record can be filled in
    people = {}
    orgs = {}
    for name, country, kind, verified, members in ORGANISATIONS:
        org = create_organisation(name=name, country=country, stakeholder_type=kind)
        if verified:
            org.verified_at = datetime.now(timezone.utc)
        orgs[name] = org
        for email, person, focal in members:
            user = create_user(email=email, name=person, password=DEMO_PASSWORD, confirmed=True)
            db.session.add(Membership(user=user, organisation=org, status=MembershipStatus.ACTIVE,
                                      focal_point=focal, decided_at=datetime.now(timezone.utc)))
            people[email] = user
    sec = create_user(email="secretariat@demo.org", name="Secretariat Officer", password=DEMO_PASSWORD,
                      role=Role.SECRETARIAT, confirmed=True)
    db.session.flush()

    def details(meeting, key, comments_on=None):
        lang, title, summary, codes, _body = TEXTS[key]
        return Details(meeting=meeting, title=title, summary=summary,
                       action_lines=[lines[c] for c in codes], language=lang, comments_on=comments_on)

    def contribute(email, key, meeting, *, publish=True, as_docx=False, comments_on=None, cosponsors=()):
        user = people[email]
        lang, title, _s, _c, body = TEXTS[key]
        d = details(meeting, key, comments_on)
        d.cosponsors = list(cosponsors)
        c = contributions.create(user.organisation, user, d, _upload(key, title, body, as_docx))
        contributions.submit(c, user)
        if publish:
            moderation.publish(c.latest_version, sec, confirm_unverified=True)
        return c

    # The secretariat's draft outcome document for PrepCom-3, then contributions that answer it.
    draft_text = ("Projet de Déclaration de principes. Nous, représentants des peuples du monde, "
                  "réunis à Genève, déclarons notre volonté commune d'édifier une société de "
                  "l'information à dimension humaine, inclusive et privilégiant le développement.")
    draft = moderation.publish_official(
        pc3, sec,
        Details(meeting=pc3, title="Projet de Déclaration de principes", summary="Draft Declaration of Principles.",
                action_lines=[lines["C1"], lines["C11"]], language=Language.FRENCH),
        _upload("projet-declaration", "Projet de Déclaration de principes", draft_text, True), Series.DOC)

    contribute("aminata.ndiaye@demo.sn", "senegal", pc3, as_docx=True, comments_on=draft,
               cosponsors=[orgs["Ministerio de Tecnologías de la Información de Colombia"]])
    contribute("claire.favre@demo.ch", "switzerland", pc3)
    contribute("sam.okafor@demo.org", "civil", pc3, comments_on=draft)
    contribute("john.miller@demo.org", "icc", pc3)
    contribute("irina.petrova@demo.org", "unesco", pc3)
    pc3.status = MeetingStatus.ARCHIVED

    contribute("lucia.restrepo@demo.co", "colombia", forum, as_docx=True)
    contribute("elena.rossi@demo.ch", "unige", forum)
    contribute("wei.zhang@demo.org", "isoc", forum, publish=False)           # waiting in the queue
    contribute("oumar.traore@demo.ml", "sahel", forum, publish=False)        # unverified organisation
    # A draft that has not been submitted yet.
    user = people["moussa.diop@demo.sn"]
    contributions.create(user.organisation, user, details(forum, "senegal"), None)

    # Delegation registration is open for the Forum: one delegation confirmed (with a visa support
    # letter), one awaiting the secretariat.
    forum.registration = RegistrationStatus.OPEN
    forum.registration_deadline_at = to_utc(datetime.combine(today + timedelta(days=130), datetime.min.time())
                                            .replace(hour=18), GENEVA)
    forum.participation = ParticipationMode.BOTH
    forum.max_delegation_size = 12
    senegal = people["aminata.ndiaye@demo.sn"]
    for data in [
        registrations.ParticipantData("Aminata Ndiaye", "Ministre de l'Économie numérique et des Postes",
                                      "aminata.ndiaye@demo.sn", Gender.WOMAN, Participation.IN_PERSON, is_head=True,
                                      arrival=forum.start_date - timedelta(days=1), departure=forum.end_date,
                                      needs_visa=True, nationality="SN", passport="A01234567"),
        registrations.ParticipantData("Moussa Diop", "Conseiller technique", "moussa.diop@demo.sn", Gender.MAN,
                                      Participation.IN_PERSON, arrival=forum.start_date - timedelta(days=1),
                                      departure=forum.end_date),
        registrations.ParticipantData("Fatou Sarr", "Cheffe de division, Autorité de régulation", "fatou.sarr@demo.sn",
                                      Gender.WOMAN, Participation.ONLINE),
    ]:
        registrations.add_participant(forum, senegal.organisation, senegal, data)
    delegation = registrations.delegation_of(forum, senegal.organisation)
    registrations.submit(delegation, senegal)
    registrations.decide(delegation, sec, "confirm")
    icc = people["john.miller@demo.org"]
    registrations.add_participant(forum, icc.organisation, icc, registrations.ParticipantData(
        "John Miller", "Policy Director", "john.miller@demo.org", Gender.MAN, Participation.IN_PERSON, is_head=True))
    registrations.add_participant(forum, icc.organisation, icc, registrations.ParticipantData(
        "Mei Tanaka", "Senior Policy Manager", "mei.tanaka@demo.org", Gender.WOMAN, Participation.ONLINE))
    registrations.submit(registrations.delegation_of(forum, icc.organisation), icc)

    _programme(forum, people, sec)
    _stocktaking(orgs, people, sec)

    # Demonstration data sends no mail.
    db.session.flush()
    db.session.execute(delete(OutgoingMail))
    current_app.logger.info("demo data loaded")
    return DemoSummary(True, sorted(people) + ["secretariat@demo.org"])
