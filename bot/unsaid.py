"""Topics the documents never speak of, recognised in a question by their words.

A question about one of them ("How much money did Kazakhstan give?", "Where are the UN's
headquarters?") shares enough words with some documented fact to match it — Kazakhstan's support,
the UN building in Almaty — yet that fact does not answer it. The engine declines such an answer
unless the fact's own answer or quotes speak of the topic (`Topic.spoken`), so a knowledge base
that someday documents it answers it again without a code change. Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Topic:
    """`asked` finds the topic in a question; `spoken` finds it in an answer or a quote.

    `own_gaps` when the question's subject is one the documents barely know (the UN as a whole):
    its decline takes only a known gap that speaks of the topic, not the nearest gap about the
    centre. Money is asked of what the documents do know (the centre, UN-80), whose gap fits.

    `named_in_passing` when a question also names the topic without asking it: a place saying
    where the asker is from ("a student from India", "я из Грузии", "Ресейден"), or one of two
    alternatives ("Is Imnadze Georgia's ambassador or the UN's representative?", answered by the
    alternative the documents give).

    `of_a_moment` when the topic asks why of a moment ("why exactly at the 74th session?"): asked
    with another moment than the fact's ("why only at the 80th?"), it is a premise the fact
    refutes, and the fact answers it.
    """

    name: str
    asked: re.Pattern[str]
    spoken: re.Pattern[str]
    own_gaps: bool = True
    named_in_passing: bool = False
    of_a_moment: bool = False


def _lowered(pattern: str) -> re.Pattern[str]:
    """A pattern for lower-cased text: questions are lower-cased once and searched by every
    topic, which is 2-3× faster than IGNORECASE on Cyrillic (no upper-case escapes here: `\\S`
    would become `\\s`)."""
    return re.compile(pattern.lower())


def _words(pattern: str) -> re.Pattern[str]:
    return _lowered(rf"(?<!\w)(?:{pattern})(?!\w)")


#: Money: the documents give no sum, budget or cost anywhere ("Сколько денег…", "қанша ақша…").
_MONEY: Final = _words(
    r"money|funding|funded|budget\w*|costs?|costing|dollars?|financ\w*|tenge|"
    r"salar\w*|деньг\w*|денег|денеж\w*|бюджет\w*|финанс\w*|доллар\w*|тенге|стоимост\w*|зарплат\w*|"
    r"ақша\w*|қаржы\w*|теңге(?!р)\w*|жалақы\w*"
    r"|rent|rental|аренд\w*|жалға|жалдау\w*|жалдық\w*"
)

#: The United Nations as an organisation, or UNRCCA — not the UN centre, building or agencies in
#: Almaty, which are written with another word after the name ("UN centre", "ООН Плаза").
_ORG: Final = (
    r"(?:the\s+)?(?:UN|U\.N\.|United\s+Nations|UNRCCA|ООН|БҰҰ|РЦПДЦА|BUU|OON)"
    r"(?:'s|’s|-?(?:ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|на|не|да|де|та|те|nyn|ga|da))?"
)
#: ... not followed by a word that makes it the centre, the building, the agencies or the
#: resolution (a question about those is for the documents).
_NOT_LOCAL: Final = (
    r"(?!\s*(?:centre|center|plaza|building|agenc|office|resolution|general\s+assembly|sdg|"
    r"regional|центр|плаз|здани|агентств|резолюц|генеральн|орталы|ғимарат|агенттік|қарар|"
    r"бас\s+ассамблея|ortal))"
)
_HQ_WORD: Final = r"headquarter\w*|HQ|штаб-квартир\w*|штаб-пәтер\w*|штаб\s+пәтер\w*"
#: ... with or without "main" ("the UN's main headquarters", "главная", "бас штаб-пәтері").
_HQ: Final = (
    r"(?:(?:main|central|global|principal|world|главн\w*|центральн\w*|бас|негізгі)\s+)?"
    rf"(?:{_HQ_WORD})"
)
#: Where the UN (or UNRCCA) has its headquarters ("Where is the UN headquartered?", "штаб-квартира
#: ООН", "БҰҰ-ның штаб-пәтері"). People also call the UN building in Almaty "the UN headquarters
#: in Almaty", which the documents do describe: a question naming Almaty is not this topic.
_HEADQUARTERS: Final = _lowered(
    r"^(?!(?s:.)*(?:almaty|алмат|алма-ат))(?s:.)*?(?<!\w)(?:"
    rf"{_ORG}\s+{_HQ}|{_HQ}\s+(?:of\s+)?{_ORG}{_NOT_LOCAL}"
    rf"|(?:where|in\s+which\s+city)\s+is\s+{_ORG}\s+headquartered"
    r")(?!\w)"
)
#: How many members the UN has, or when a country joined it ("How many member states does the
#: UN have?", "Сколько стран входит в ООН?", "БҰҰ-ға қанша мемлекет мүше?"). The documents give
#: only the 152 co-sponsors of the resolution, which is not the membership.
_MEMBERSHIP: Final = _words(
    r"how\s+many\s+(?:member\s+)?(?:states|countries|members|nations)\s+"
    r"(?:does|do|are|is|are\s+there\s+in|belong\s+to|make\s+up|(?:are\s+)?(?:members?\s+of|in))"
    rf"\s+{_ORG}{_NOT_LOCAL}"
    rf"|{_ORG}\s+(?:total\s+)?membership"
    rf"|(?:join\w*|admitted\s+to|admission\s+to|accession\s+to)\s+{_ORG}{_NOT_LOCAL}"
    r"|сколько\s+(?:всего\s+)?(?:стран|государств|членов)(?:-членов)?\s+"
    r"(?:(?:входит|входят|состоит|состоят)\s+)?в\s+(?:состав\w*\s+)?ООН(?!\s*(?:плаз|центр))"
    r"|(?:членств\w*|вступ\w*|вступлени\w*)\s+(?:\w+\s+)?в\s+ООН(?!\s*(?:плаз|центр))"
    r"|ООН\s+(?:насчитывает|объединяет)"
    r"|сколько\s+(?:всего\s+)?(?:стран|государств)\s*[-–—]?\s*член\w*\s+ООН(?![^.?!]*(?:соавтор|"
    r"поддерж|резолюц|голос|инициатив))"
    r"|БҰҰ-?(?:ға|ге)?\s+(?:барлығы\s+)?(?:қанша|неше)\s+(?:мемлекет|ел)\w*\s+(?:мүше|кіреді)"
    r"|БҰҰ\s+құрамында\s+(?:қанша|неше)"
    r"|БҰҰ-?(?:ға)?\s+(?:қашан\s+|қай\s+жылы\s+)?(?:кірді|қосылды|мүше\s+болды)"
)
#: When the UN (or UNRCCA) was founded: "When was the UN founded?", "Когда создана ООН?",
#: "БҰҰ қашан құрылды?" — not the centre, whose founding the documents do tell.
_FOUNDING: Final = _words(
    rf"(?:when|what\s+year|which\s+year)\s+was\s+{_ORG}\s+(?:founded|created|established|formed)"
    rf"|(?:founding|foundation|creation|establishment)\s+of\s+{_ORG}{_NOT_LOCAL}"
    r"|(?:основан\w*|создан\w*|образован\w*|основани\w*|создани\w*)\s+(?:ООН|UNRCCA|РЦПДЦА)"
    r"(?!\s*(?:плаз|центр))"
    r"|(?:ООН|UNRCCA|РЦПДЦА)\s+(?:был[аои]?\s+)?(?:основан|создан|образован)[аоы]?(?!\w)"
    r"|(?:БҰҰ|UNRCCA)(?:-ның|-ны)?\s+(?:қашан\s+|қай\s+жылы\s+)?құрыл(?:ды|ған\w*|уы\w*)"
)
#: A postal address or street: the documents place things in cities and buildings only ("По какому
#: адресу находится UN Plaza?", "қай көшеде орналасқан?").
_ADDRESS: Final = _words(
    r"(?:street|postal|mailing|exact|physical|full)\s+address|address\s+(?:of|and|for)"
    r"|(?:what|which)(?:'s|\s+is)\s+(?:the\s+|its\s+|their\s+)?address|(?:what|which)\s+street"
    r"|(?<!в\s)адрес(?!ат)\w*|улиц[аеуы]|мекен-?жай\w*|көшесі\w*|көшеде|қай\s+көше\w*"
)
#: When or how the resolution takes effect: the documents give its adoption only.
_IN_FORCE: Final = _words(
    r"(?:enter\w*|come\w*|came)\s+into\s+force|take\w*\s+effect|вступ\w*\s+в\s+силу"
    r"|в\s+силу\s+вступ\w*|күшіне\s+ен\w*"
)
#: Where UNRCCA sits: the documents give its name, head and role, never its seat. A sentence that
#: names it and asks where it is ("В каком городе расположен Региональный центр ООН по
#: превентивной дипломатии?"); its head's trip to Astana is another question.
_UNRCCA: Final = (
    r"UNRCCA|РЦПДЦА|preventive\s+diplomacy|превентивной\s+дипломатии|превентивтік\s+дипломатия"
)
_UNRCCA_SEAT: Final = _words(
    rf"(?:where|in\s+which\s+(?:city|country))\s+is\s+(?:the\s+)?(?:{_UNRCCA})"
    rf"|(?:UNRCCA|РЦПДЦА)(?:'s|’s)?\s+(?:seat|base)|(?:{_UNRCCA})\s+(?:is\s+)?(?:based|located)"
    rf"|(?:где|в\s+каком\s+(?:городе|стране))\s+(?:находится|расположен\w*|базируется)"
    rf"[^.?!]{{0,60}}?(?:{_UNRCCA})|офис\w*\s+(?:UNRCCA|РЦПДЦА)"
    rf"|(?:{_UNRCCA})[^.?!]{{0,40}}?(?:қай\s+(?:қалада|елде)|қайда)\s+орналас\w*"
    rf"|(?:{_UNRCCA})[^.?!]{{0,40}}?кеңсесі\s+(?:қай\s+(?:қалада|елде)|қайда)"
)
_SECURITY_COUNCIL: Final = _words(
    r"security\s+council|совет\w*\s+безопасности|совбез\w*|қауіпсіздік\s+кеңес\w*"
)
_LANGUAGES: Final = _words(
    r"(?:official|working)\s+languages?|официальн\w+\s+язык\w*|рабоч\w+\s+язык\w*|ресми\s+тіл\w*"
    # ... and the other way round: "which languages are official", "языки являются официальными"
    r"|languages?\s+(?:are|is)\s+(?:the\s+)?official|язык\w*\s+(?:являются\s+|считаются\s+)?официальн\w+"
    r"|тіл\w*\s+ресми"
)
#: Who the Secretary-General is: the documents name only his Special Representative.
_SECRETARY_GENERAL: Final = _words(
    r"who\s+is\s+(?:the\s+)?(?:current\s+)?(?:UN\s+)?secretary[-\s]general(?!['’]s)"
    r"|(?:кто|как\s+зовут)\s+(?:сейчас\s+|нынешн\w+\s+)?(?:генеральн\w+\s+секретар\w*|генсек\w*)"
    r"|(?:бас\s+хатшы\w*)\s+(?:кім|қазір\s+кім)"
)
_GUTERRES: Final = _words(r"guterres|гутерр\w*|гутерреш\w*")
#: Countries the documents never name (they name Kazakhstan and Afghanistan, and Central Asia as
#: a region; its other states are left out here, since a question about them is one about the
#: region the centre serves). "Was Russia a co-sponsor?", "Как Казахстан строит отношения с
#: Китаем?" match a documented fact by their other words. "the US", not "us" ("TELL US"),
#: "АҚШ" not "ақша" (money).
_COUNTRY: Final = (
    r"russia|china|(?:the\s+)?(?:united\s+states|usa|u\.s\.a?\.?|america)|the\s+U\.?S\.?"
    r"|turkey|türkiye|iran|india|pakistan|mongolia|azerbaijan|georgia|armenia|belarus|ukraine|japan|(?:south\s+)?korea"
    r"|germany|france|(?:great\s+)?britain|the\s+uk|united\s+kingdom|european\s+union|the\s+eu"
    r"|росси(?:я|и|ю|ей)|кита(?:й|я|ю|ем|е)|сша|америк\w*|турци\w*|иран\w*|инди(?:я|и|ю|ей)"
    r"|пакистан\w*|монголи\w*|азербайджан\w*|грузи(?:я|и|ю|ей)|армени\w*|беларус\w*|украин\w*"
    r"|япони\w*|коре(?:я|и|ю|ей)|германи\w*|франци\w*|великобритани\w*|евросоюз\w*"
    r"|ресей\w*|қытай\w*|ақш(?:-\w+)?|түркия\w*|үндістан\w*|пәкістан\w*|моңғолия\w*|әзірбайжан\w*"
    r"|грузия\w*|армения\w*|беларусь\w*|украина\w*|жапония\w*|корея\w*|германия\w*"
    r"|франция\w*|ұлыбритания\w*|еуроодақ\w*"
)
_FOREIGN_COUNTRY: Final = _words(_COUNTRY)
#: A country's GDP or other economic figures: the documents call Kazakhstan "the largest economy
#: in the region" and give no figure.
_GDP: Final = _words(
    r"gdp|gross\s+domestic\s+product|ввп|валов\w+\s+внутренн\w+\s+продукт\w*|жіө\w*"
    r"|жалпы\s+ішкі\s+өнім\w*"
)
_ECONOMIC_FIGURES: Final = _words(
    rf"{_GDP.pattern}|economic\s+(?:or\s+\w+\s+)?figures|экономических\s+(?:или\s+\w+\s+)?"
    r"показател\w*|экономикалық\s+(?:немесе\s+[\w\s]{0,20}?)?көрсеткіш\w*"
)
#: How the vote on the resolution went in numbers: the documents say it was adopted unanimously
#: and give no count, no record, no "how many voted yes" ("How many countries voted in favour?",
#: "Сколько стран проголосовало «за»?", "Неше ел жақтап дауыс берді?"). Whether anyone voted
#: against is answered by "unanimously" and is not this topic.
_VOTE_COUNT: Final = _words(
    r"how\s+many\s+(?:[\w-]+\s+){0,3}?(?:voted|votes?|ayes|yes\s+votes?)(?!\s+against)"
    r"|vote\s+(?:count|tally|breakdown|totals?)|voting\s+(?:record|results?|figures|breakdown)"
    r"|recorded\s+vote|roll[-\s]call|сколько\s+(?:[\w-]+\s+){0,3}?(?:проголосова\w*|голос\w*)"
    r"(?!\s+против)|итог\w*\s+голосовани\w*|результат\w*\s+голосовани\w*|поим[её]нн\w*"
    r"|распредел\w*\s+голос\w*|сколько\s+(?:было\s+)?(?:голосов\s+)?[«\"“]за[»\"”]"
    r"|(?:неше|қанша)\s+(?:[\w-]+\s+){0,3}?дауыс\w*"
    r"|атаулы\s+дауыс\w*"
)
#: ... which no answer gives: a count of votes.
_VOTES_COUNTED: Final = _words(r"\d+\s+(?:votes?|голос\w*|дауыс\w*)")
#: How long someone has held an office or something has lasted ("How many years has Imnadze
#: headed UNRCCA?", "Как давно…", "Қанша жылдан бері…"): the documents date each fact and give
#: no term of office; an answer with a length of time ("the 30th anniversary of the UN presence")
#: lifts it.
_HOW_LONG: Final = _words(
    r"how\s+long\s+(?:has|have|had|is|was|were|did)|(?:for\s+)?how\s+many\s+years"
    r"|since\s+when|since\s+what\s+year|сколько\s+(?:уже\s+)?лет|как\s+давно"
    r"|с\s+какого\s+(?:года|времени)|(?:қанша|неше)\s+жыл\w*|қашаннан\s+бері"
)
_LENGTH_OF_TIME: Final = _words(
    r"\d+\s*(?:-?th\s+)?(?:years?|anniversary)|\d+\s*(?:лет|год\w*|-?лети\w*)"
    r"|\d+\s*(?:жыл\w*)|since\s+\d{4}|с\s+\d{4}\s+года|\d{4}\s+жылдан\s+бері"
)
#: Where exactly, in which building ("В каком здании в Астане прошла встреча?", "Where exactly in
#: Astana…"): only an answer that names a building (UN Plaza) gives more than a city.
_EXACT_PLACE: Final = _words(
    r"where\s+exactly|exact\s+(?:location|place|venue|spot)|(?:in\s+)?(?:which|what)\s+building"
    r"|где\s+именно|в\s+каком\s+(?:именно\s+)?(?:здании|месте)|точн\w+\s+мест\w*"
    r"|нақты\s+қай\s+жер\w*|қай\s+ғимарат\w*|нақты\s+орн\w*"
    # where in a city a fact names ("Where in Astana did they meet?", "Астананың қай жерінде")
    r"|where\s+in\s+(?:astana|almaty|nur-sultan)|где\s+(?:именно\s+)?в\s+(?:астане|алматы)"
    r"|в\s+какой\s+части\s+(?:астаны|алматы)|(?:астана|алматы)\w*\s+қай\s+(?:жер|бөліг|аудан)\w*"
)
_BUILDING: Final = _words(r"building|plaza|здани\w*|плаза\w*|ғимарат\w*")
#: What else, which other (resolutions, initiatives, proposals) beyond the one a fact gives
#: ("What else did Tokayev propose at the 74th session?", "Какие ещё резолюции инициировал
#: Казахстан?", "Бұдан басқа қандай бастамалар…"): the documents tell of one each.
_SOMETHING_ELSE: Final = _words(
    r"what\s+else\s+(?:[\w-]+\s+){0,4}?(?:propos\w*|initiat\w*|suggest\w*|put\s+forward)"
    r"|(?:which|what|any)\s+other\s+(?:resolutions?|initiatives?|proposals?|ideas?)"
    r"|что\s+(?:ещё|еще)\s+(?:\w+\s+){0,2}?(?:предлага\w*|предложил\w*|инициирова\w*)"
    r"|какие\s+(?:ещё|еще|другие)\s+(?:резолюци\w*|инициатив\w*|предложени\w*)"
    r"|бұдан\s+басқа\s+қандай|басқа\s+қандай\s+(?:қарар\w*|бастама\w*|ұсыныс\w*)"
    r"|тағы\s+қандай\s+(?:қарар\w*|бастама\w*|ұсыныс\w*)"
)
_OTHERS_LISTED: Final = _words(r"among\s+others|other\s+initiatives|другие\s+инициатив\w*")
#: What has happened since ("Since the resolution was adopted, what has the centre achieved?",
#: "Что произошло после принятия резолюции?"): the newest document reports the adoption and
#: nothing after it.
_SINCE_THEN: Final = _words(
    r"what\s+ha(?:s|ve)\s+(?:[\w-]+\s+){0,5}?(?:achieved|accomplished|done\s+so\s+far)"
    r"|since\s+(?:then|the\s+(?:resolution|vote|adoption)|it\s+was\s+(?:adopted|passed))"
    r"|что\s+(?:произошло|случилось|изменилось)\s+после|с\s+тех\s+пор|содан\s+бері"
    r"|қабылданғаннан\s+(?:кейін|бері)"
)
_LATER_EVENTS: Final = _words(r"since\s+then|с\s+тех\s+пор|содан\s+бері")
#: Who else attended, beyond the person the documents name ("Who else besides Tokayev attended
#: the opening?", "Кто ещё, кроме Имнадзе, приехал?", "Тоқаевтан басқа кімдер қатысты?"): the
#: documents name one participant of each event. An answer that names others lifts it.
_OTHERS: Final = (
    r"who\s+else|anyone\s+else|besides|apart\s+from|other\s+than|кто[- ]?(?:то\s+)?(?:ещё|еще)"
    r"|кроме|помимо|\w+(?:тан|тен|дан|ден|нан|нен)\s+басқа|тағы\s+кім\w*|басқа\s+кім\w*"
)
_ATTEND: Final = (
    r"attend\w*|present|came|come|took\s+part|participat\w*|(?:was|were)\s+(?:at|there)"
    r"|присутствова\w*|приех\w*|прибы\w*|участвова\w*|пришл\w*|был[аио]?\s+на|қатыс\w*|келді\w*|келген\w*|болды"
)
_OTHERS_PRESENT: Final = _lowered(
    rf"(?<!\w)(?:{_OTHERS})(?!\w)[^.?!]{{0,60}}?(?<!\w)(?:{_ATTEND})(?!\w)"
    rf"|(?<!\w)(?:{_ATTEND})(?!\w)[^.?!]{{0,60}}?(?<!\w)(?:{_OTHERS})(?!\w)"
)
_OTHERS_NAMED: Final = _words(
    r"also\s+(?:attended|took\s+part|present|came)|other\s+(?:guests|participants|attendees)"
    r"|among\s+the\s+(?:guests|participants)|также\s+(?:присутствова\w*|участвова\w*|приех\w*)"
    r"|други\w*\s+(?:гост\w*|участник\w*)|басқа\s+(?:қатысушы\w*|қонақ\w*)"
)

#: Other councils than the documents' bodies ("Will Kazakhstan run for the Human Rights
#: Council?", "Қазақстанда ТДМ жөніндегі ұлттық кеңес бар ма?"), parliaments and courts.
_COUNCILS: Final = _words(
    r"human\s+rights\s+council|economic\s+and\s+social\s+council|ecosoc|экосос"
    r"|совет\w*\s+(?:оон\s+)?по\s+правам\s+человека|адам\s+құқықтары\s+(?:жөніндегі\s+)?кеңес\w*"
    r"|(?:national|национальн\w*|ұлттық)\s+(?:\w+\s+)?(?:council|совет\w*|кеңес\w*)"
    # parliaments and courts: "How did Kazakhstan's parliament react?", "Международный суд ООН"
    r"|parliament\w*|mazhilis|majilis|senate|парламент\w*|мажилис\w*|сенат\w*|мәжіліс\w*"
    r"|international\s+court\w*|icj|международн\w+\s+суд\w*|халықаралық\s+сот\w*"
)
#: The hour of a visit or meeting ("What time did Nurtleu arrive?", "во сколько", "сағат
#: нешеде"): the documents date events by the day at most.
_HOUR: Final = _words(
    r"what\s+time|at\s+what\s+hour|o'?clock|во\s+сколько\s+(?!обош|стои)\w+|в\s+котором\s+часу"
    r"|сағат\s+(?:нешеде|қаншада)|қай\s+сағатта"
)
#: A visit's arrangements ("Which hotel did Imnadze stay in?", "Какой подарок вручили?", "не
#: сыйлады?"): the releases report who met whom and what was said.
_ARRANGEMENTS: Final = _words(
    r"hotels?|accommodation|gifts?|presents?\s+(?:to|for)|dinner|lunch|banquet|menu"
    r"|гостиниц\w*|отел(?:ь|е|я|ем)|подар\w*|ужин\w*|банкет\w*|меню"
    r"|қонақ\s*үй\w*|сыйлық\w*|сыйлад\w*|кешкі\s+ас\w*|түскі\s+ас\w*"
)
#: Diplomats and UN officials the documents never mention: delegations, ambassadors, the UN
#: Resident Coordinator ("What did the Russian delegation say when it passed?", "Who was the UN
#: Resident Coordinator when Nurtleu visited?"). Not "coordinator" alone: the documents call the
#: UN the central coordinator. Not "после" (after) for "посол".
_OFFICIALS: Final = _words(
    r"delegations?|delegates?|ambassadors?|resident\s+coordinators?"
    r"|делегаци\w*|делегат\w*|посол|посл(?:а|у|ом|ы|ов|ам|ами|ах)|посольств\w*"
    r"|(?:постоянн\w+|резидент\w*)[\s-]+координатор\w*|координатор\w*\s+оон"
    r"|елші\w*|тұрақты\s+үйлестіруші\w*|бұұ(?:-\w+)?\s+үйлестіруші\w*"
)
#: What other sources say ("What does the Constitution say…", "Did Tokayev tweet…", "polls on
#: what people think", "Жолдауында…"): the documents are three news releases, none of them.
_OTHER_SOURCES: Final = _words(
    r"constitution\w*|tweet\w*|twitter|polls?|polled|survey\w*|interview\w*|state\s+of\s+the\s+nation"
    r"|конституци\w*|твит\w*|твиттер\w*|опрос\w*|интервью|послани\w*\s+(?:народу|главы|президента)"
    r"|ата\s+заң\w*|жолдау\w*|сауалнама\w*|сұхбат\w*"
    # experts' and critics' views: the releases quote officials only
    r"|experts?|critics?|criticism|analysts?|эксперт\w*|критик\w*|аналитик\w*|сарапшы\w*|сыншы\w*"
)
#: UN agencies and commissions by name ("Will UNDP work with the centre?", "Чем центр будет
#: отличаться от ЭСКАТО?"): the documents name none of the 18 agencies in Almaty. Not WHO
#: ("who") or the short Russian ones that are also words.
_AGENCY_NAMES: Final = _words(
    r"escap|undp|unicef|unesco|unhcr|unfpa|unido|unep|unodc|unaids|wfp|fao|un\s+women"
    r"|эскато|прооон|юнисеф|юнеско|увкб|юнфпа|юнидо|юнеп|юнодк|бұұдб"
)
#: The bot's own opinion ("Do you think the centre will really help?", "А ты сам как думаешь…",
#: "Сен қалай ойлайсың…"): it has none, and the documents give only their authors' words. "Do
#: you think you could tell me…" is a polite question and "Who do you think proposed it?" asks a
#: fact, not an opinion.
_OPINION: Final = _words(
    r"(?<!who\s)(?<!where\s)(?<!when\s)(?<!which\s)do\s+you\s+(?:really\s+)?think"
    r"(?!\s+you\s+(?:could|can|might))"
    r"|in\s+your\s+(?:own\s+)?(?:opinion|view)|your\s+(?:own\s+|personal\s+)?opinion"
    r"|как\s+(?:ты|вы)\s+(?:сам\w*\s+)?думае\w*|(?:ты|вы)\s+(?:сам\w*\s+)?как\s+думае\w*"
    r"|(?:ваше|твоё|твое)\s+(?:личное\s+)?мнение|по-твоему|по-вашему"
    r"|(?:сен|сіз)\s+(?:өзің\w*\s+)?қалай\s+ойлайс\w*|(?:сенің|сіздің)\s+(?:ойың\w*|пікірің\w*)"
)
#: Which session ("At which session was the resolution adopted?"), asked of a fact that speaks
#: of none: only the initiative's first presentation is dated by one (the 74th).
_WHICH_SESSION: Final = _words(
    r"(?:which|what)\s+(?:\w+\s+){0,2}?session|(?:на\s+)?как\w+\s+(?:\w+\s+)?сесси\w*"
    r"|(?:қай|нешінші)\s+(?:\w+\s+)?сессия\w*"
)
_SESSION: Final = _lowered(r"session|сесси|сессия")
#: What the resolution obliges ("What obligations does it place on member states?", "Is it
#: legally binding?"): the documents say only that it was adopted and what it shows.
_OBLIGATIONS: Final = _words(
    r"obligations?|obligat\w+|(?:legally\s+)?binding|обязательств\w*|обязыва\w*"
    r"|юридическ\w+\s+(?:сил\w*|обязательн\w*)|міндеттеме\w*|міндеттей\w*|заңды\s+күш\w*"
)
#: Railways and pipelines ("the Trans-Afghan railway"): the documents name no project.
_TRANSPORT: Final = _words(
    r"railways?|railroads?|pipelines?|железн\w+\s+дорог\w*|трубопровод\w*|теміржол\w*"
    r"|темір\s+жол\w*|құбыр\w*"
)
#: Who governs Afghanistan ("Will the centre work with the Taliban government?", "санкции против
#: талибов"): the documents speak of the Afghan people and the region only; the gap about
#: Afghanistan's situation names the topic and lifts it.
_AFGHAN_RULERS: Final = _words(
    r"taliban\w*|sanctions?|de[\s-]facto\s+(?:authorities|government)|талиб\w*|санкци\w*"
    r"|фактическ\w+\s+власт\w*|іс\s+жүзіндегі\s+билік\w*"
)
#: The names of people a fact speaks of only by their role ("Names please", "назовите
#: фамилии", "аттарын айтыңызшы"): asked of a fact that names no one, a list it doesn't give.
_NAMES: Final = _words(
    r"names,?\s+(?:please|pls)|what\s+(?:are|were)\s+(?:their|the)\s+names|the\s+names\s+of"
    r"|their\s+names(?!\s+(?:on|to|down))|name\s+them"
    r"|назов\w+\s+(?:их\s+)?(?:имена|фамилии|по\s+именам)"
    r"|(?:их\s+)?(?:имена|фамилии)|аттары\w*|есімдер\w*|аты-жөн\w*"
)
_NAMED: Final = _words(
    r"nam(?:e|ed|es)|назван\w*|имена|имён|фамили\w*|аты-жөн\w*|есім\w*|аталмаған|аттары\w*"
)
#: Which countries ("Which countries does the MFA mean by middle powers?", "какие страны…",
#: "қай елдер…"): asked of a fact that names no country or group of them, it is a list the
#: documents don't give.
_WHICH_COUNTRIES: Final = _words(
    r"(?:which|what)\s+(?:specific\s+|particular\s+|exact\s+)?(?:countries|states|nations)"
    r"|(?:какие|каких|каким)\s+(?:именно\s+|конкретно\s+|же\s+)?(?:стран\w*|государств\w*)"
    r"|(?:қай|қандай)\s+(?:нақты\s+)?(?:елдер\w*|мемлекеттер\w*)"
)
#: ... unless the answer names the group ("on behalf of the Central Asian states") or says the
#: documents don't list them.
_COUNTRIES_NAMED: Final = _words(
    r"(?:central\s+asian|afghan)\w*\s+(?:countries|states)|individual\s+countries"
    r"|(?:стран\w*|государств\w*)\s+центральной\s+азии|отдельные\s+страны|какие\s+страны"
    r"|орталық\s+азия\s+(?:елдер\w*|мемлекеттер\w*)|жекелеген\s+елдер|қай\s+елдер"
    r"|(?:particular|any)\s+country|та\s+или\s+иная\s+страна|белгілі\s+бір\s+ел\w*"
)

#: The next meeting or visit ("When is the next meeting between Nurtleu and Imnadze planned?",
#: "следующая встреча", "келесі кездесу"): the releases report what happened, not what follows.
_NEXT: Final = _words(
    r"next\s+(?:meeting|visit|talks|session|round)|following\s+meeting"
    r"|следующ\w+\s+(?:встреч\w*|визит\w*|переговор\w*|раунд\w*)|келесі\s+(?:кездесу\w*|сапар\w*)"
)
#: A signed document ("Did UNRCCA and the centre sign a memorandum?", "какое соглашение
#: заключили", "қандай құжатқа қол қойды"): the documents tell of a resolution adopted and
#: meetings held, and of nothing signed. Not "signed" alone: countries "signed on as
#: co-sponsors" of the resolution.
_AGREEMENT: Final = _words(
    r"memorand\w*|mou|agreements?|treat(?:y|ies)|меморандум\w*|соглашени\w*|договор\w*"
    r"|келісім\w*|құжат\w*\s+қол\s+қой\w*"
)
#: Which companies by name ("Which private companies have signed up?", "какие частные компании",
#: "қандай компаниялар"): the documents speak of the private sector, never of a company; "Will
#: it work with private companies?" is what they do say.
_WHICH_COMPANIES: Final = _words(
    r"(?:which|what)\s+(?:specific\s+|particular\s+)?(?:private\s+)?(?:companies|firms|businesses)"
    r"|names?\s+of\s+(?:the\s+)?companies"
    r"|какие\s+(?:конкретно\s+|именно\s+)?(?:частные\s+)?(?:компании|фирмы)"
    r"|(?:қандай|қай)\s+(?:жеке\s+)?(?:компаниялар\w*|фирмалар\w*)"
)
_COMPANIES: Final = _words(r"compan(?:y|ies)|firms?|компани\w*|фирм\w*")
#: A person's citizenship or nationality ("What is Imnadze's citizenship?", "какое у него
#: гражданство", "азаматтығы"): the documents give people's offices only.
_CITIZENSHIP: Final = _words(
    r"citizenship|nationality|гражданств\w*|национальност\w*|азаматтығ\w*|азаматтық\w*|ұлты"
)
#: How success is measured ("Are there KPIs?", "какие показатели", "қандай көрсеткіштер"): the
#: documents speak of "measurable results" and give no indicator.
_INDICATORS: Final = _words(r"kpis?|indicators?|metrics?|показател\w*|индикатор\w*|көрсеткіш\w*")
#: A floor, wing or room of the building ("On which floor?", "на каком этаже", "қай қабатта"):
#: the documents name the building only.
_ROOM: Final = _words(
    r"(?:which|what)\s+(?:floor|wing|rooms?)|floor\s+number|room\s+number|office\s+(?:number|room)"
    r"|floors?\s+of\s+(?:the\s+)?(?:building|un\s+plaza)|этаж\w*|кабинет\w*|крыл(?:о|е|а|ом|ья|ьях)"
    r"|қабат\w*|қанат\w*|бөлме\w*"
)
#: Other cities' bids to host ("Were there other bids?", "были ли другие заявки", "басқа
#: өтінімдер"): the documents give Almaty's reasons, not a contest. Spoken of by the same words,
#: but not by "заявка" or "өтінім" alone, which the gap about jobs uses for a job application.
_BID_WORDS: Final = (
    r"bids?|bidding|candidac(?:y|ies)|кандидатур\w*|претендент\w*|конкурс\w*|үміткер\w*"
)
_BIDS: Final = _words(rf"{_BID_WORDS}|competing\s+(?:cities|offers)|заявк\w*|өтінім\w*")
_BIDS_SPOKEN: Final = _words(_BID_WORDS)
#: Disputes and borders between states ("Which disputes has UNRCCA helped resolve?", "ситуация на
#: границе", "су дауы"): the documents speak of preventive diplomacy in general terms.
_DISPUTES: Final = _words(
    r"disputes?|borders?|спор(?:ы|ов|а|ам|ах)?|границ\w*|пограничн\w*"
    r"|дау(?:ы|ын|ды|лар\w*|ларды)?|шекара\w*"
)
#: When the SDGs themselves were adopted ("When were the SDGs adopted?", "ТДМ қай жылы
#: қабылданған"): 2015, which the documents never give; not the resolution on the centre.
_SDGS_ADOPTED: Final = _words(
    r"(?:sdgs|sustainable\s+development\s+goals|global\s+goals)\s+(?:were\s+|was\s+)?(?:first\s+)?adopted"
    r"|(?:цур|цели\s+устойчивого\s+развития)\s+(?:были\s+)?принят\w*"
    r"|принят\w*\s+(?:цур|цели\s+устойчивого\s+развития)"
    r"|(?:тдм|тұрақты\s+даму\s+мақсаттар\w*)\s+(?:қашан|қай\s+жылы)\s+(?:қабылдан\w*|бекітіл\w*)"
)
_AGENDA_2030: Final = _words(
    r"2015|agenda\s+2030|2030\s+agenda|повестк\w+\s+2030|2030\s+күн\s+тәртібі\w*"
)

#: Why a thing happened just then ("Why did Tokayev propose it exactly at the 74th session?",
#: "почему резолюцию приняли только в 2025 году", "неге дәл 74-сессияда"): the documents give
#: dates and purposes, never why a moment was chosen. A plain "why did Kazakhstan propose the
#: centre?" asks its purpose, which they give: only a stress on the moment counts. Not "why
#: now?", which the UN-80 reform the centre is part of may answer.
_WHY_THEN: Final = _words(
    r"why\s+(?:[\w'-]+\s+){0,8}?(?:(?:only|exactly|precisely|just)\s+(?:in|at)\s+(?:the\s+)?"
    r"(?:\d+\w*\s+session|(?:19|20)\d\d|that\s+(?:time|moment|session|year))|so\s+late)"
    r"|why\s+then"
    r"|(?:почему|зачем)\s+(?:[\w-]+\s+){0,8}?(?:(?:только|именно)\s+(?:в|на)\s+(?:\d+\S*\s+"
    r"(?:году|сесси\w*)|(?:этом|том)\s+году)|так\s+поздно)|(?:почему|зачем)\s+(?:именно\s+)?тогда"
    r"|неге\s+(?:[\w-]+\s+){0,4}?(?:дәл|тек)\s+(?:\d+\S*|осы\s+жылы|сол\s+кезде)"
    r"|(?:дәл|тек)\s+\d+\S*\s+(?:жылы\s+)?неге"
)

#: Each topic with the words that would show an answer speaks of it.
UNSAID: Final = (
    Topic("money", _MONEY, _MONEY, own_gaps=False),
    Topic("headquarters", _HEADQUARTERS, _words(_HQ_WORD)),
    Topic("membership", _MEMBERSHIP, _MEMBERSHIP),
    Topic("founding", _FOUNDING, _FOUNDING),
    Topic("security council", _SECURITY_COUNCIL, _SECURITY_COUNCIL),
    Topic("address", _ADDRESS, _ADDRESS),
    Topic("entry into force", _IN_FORCE, _IN_FORCE),
    Topic("unrcca seat", _UNRCCA_SEAT, _UNRCCA_SEAT),
    Topic("official languages", _LANGUAGES, _LANGUAGES),
    Topic("secretary-general", _SECRETARY_GENERAL, _GUTERRES),
    Topic("another country", _FOREIGN_COUNTRY, _FOREIGN_COUNTRY, named_in_passing=True),
    Topic("gdp", _GDP, _ECONOMIC_FIGURES),
    Topic("others present", _OTHERS_PRESENT, _OTHERS_NAMED),
    Topic("vote count", _VOTE_COUNT, _VOTES_COUNTED),
    Topic("how long", _HOW_LONG, _LENGTH_OF_TIME),
    Topic("exact place", _EXACT_PLACE, _BUILDING),
    Topic("something else", _SOMETHING_ELSE, _OTHERS_LISTED),
    Topic("since then", _SINCE_THEN, _LATER_EVENTS),
    Topic("which countries", _WHICH_COUNTRIES, _COUNTRIES_NAMED),
    Topic("other councils", _COUNCILS, _COUNCILS),
    Topic("officials not named", _OFFICIALS, _OFFICIALS, named_in_passing=True),
    Topic("agencies by name", _AGENCY_NAMES, _AGENCY_NAMES),
    Topic("other sources", _OTHER_SOURCES, _OTHER_SOURCES),
    Topic("opinion", _OPINION, _OPINION),
    Topic("which session", _WHICH_SESSION, _SESSION),
    Topic("obligations", _OBLIGATIONS, _OBLIGATIONS),
    Topic("transport projects", _TRANSPORT, _TRANSPORT, own_gaps=False),
    Topic("afghanistan's rulers", _AFGHAN_RULERS, _AFGHAN_RULERS),
    Topic("hour", _HOUR, _HOUR),
    Topic("arrangements", _ARRANGEMENTS, _ARRANGEMENTS),
    Topic("names", _NAMES, _NAMED),
    Topic("next meeting", _NEXT, _NEXT),
    Topic("agreement", _AGREEMENT, _AGREEMENT),
    Topic("companies", _WHICH_COMPANIES, _COMPANIES),
    Topic("citizenship", _CITIZENSHIP, _CITIZENSHIP),
    Topic("indicators", _INDICATORS, _INDICATORS),
    Topic("room", _ROOM, _ROOM),
    Topic("bids", _BIDS, _BIDS_SPOKEN),
    Topic("disputes", _DISPUTES, _DISPUTES),
    Topic("sdgs adopted", _SDGS_ADOPTED, _AGENDA_2030),
    Topic("why then", _WHY_THEN, _WHY_THEN, of_a_moment=True),
)


def spoken_of(texts: list[str]) -> frozenset[str]:
    """The topics some of these texts (an answer, its quotes) speak of."""
    lowered = [text.lower() for text in texts]
    return frozenset(t.name for t in UNSAID if any(t.spoken.search(text) for text in lowered))


#: Words that set a topic aside rather than ask it: "Адрес мне не нужен, скажите просто, в каком
#: городе будет центр?", "I don't need the address, just the city".
_SET_ASIDE: Final = _words(
    r"don'?t\s+(?:need|care|want)|do\s+not\s+(?:need|care|want)|no\s+need|not\s+interested"
    r"|never\s*mind|не\s+(?:нужн\w*|нужен|надо|важн\w*|интересует|спрашиваю)|неважно"
    r"|керек\s+емес|қажет\s+емес|маңызды\s+емес|сұрамаймын"
)
_CLAUSE_END: Final = re.compile(r"[,;:.!?—–]|\s-\s")
#: Where the asker is from, not what is asked (of a topic `named_in_passing`): "a student from
#: India", "я из Грузии", "I live in Japan", "Ресейденмін" (an ablative). Not said of every
#: topic: "Финансируется ли центр из бюджета ООН?" asks about money.
_FROM_BEFORE: Final = _lowered(
    r"(?<!\w)(?:from|из|born\s+in|live\s+in|living\s+in|живу\s+в)\s+(?:the\s+)?$"
)
_ALTERNATIVE: Final = _words(r"or|или|либо|әлде|немесе")
_SENTENCE_END: Final = re.compile(r"[.!?]")
_FROM_ENDING: Final = _lowered(r"(?:дан|ден|тан|тен|нан|нен)\w*$")


def unsaid_asked(question: str, spoken: frozenset[str] = frozenset()) -> Topic | None:
    """The first topic the question asks about that is not among those spoken of, if any."""
    return next((t for t in _topics_asked(question.lower()) if t.name not in spoken), None)


@functools.lru_cache(maxsize=64)
def _topics_asked(question: str) -> tuple[Topic, ...]:
    """Every topic a (lower-cased) question asks: the engine asks this of one question for each
    fact it weighs, so it is searched once."""
    return tuple(t for t in UNSAID if _asks(t, question))


def _asks(topic: Topic, question: str) -> bool:
    """Some mention of the topic is asked: not set aside in its own clause, nor (a topic
    `named_in_passing`) where the asker is from or one of alternatives."""
    for found in topic.asked.finditer(question):
        if topic.named_in_passing and _in_passing(question, found):
            continue
        if not _SET_ASIDE.search(_around(question, found, _CLAUSE_END)):
            return True
    return False


def _in_passing(question: str, found: re.Match[str]) -> bool:
    """A topic named as where the asker is from, or as one of alternatives."""
    return bool(
        _FROM_BEFORE.search(question, 0, found.start())
        or _FROM_ENDING.search(found.group())
        or _ALTERNATIVE.search(_around(question, found, _SENTENCE_END))
    )


def _around(text: str, found: re.Match[str], boundary: re.Pattern[str]) -> str:
    """The stretch of text around a match between two boundaries (a clause, a sentence)."""
    before = boundary.finditer(text, 0, found.start())
    start = max((end.end() for end in before), default=0)
    end = boundary.search(text, found.end())
    return text[start : end.start() if end else len(text)]
