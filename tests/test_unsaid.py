"""Which questions ask about a topic the documents never speak of (bot/unsaid.py).

The engine declines a fact's answer to such a question unless the answer speaks of the topic
(tests/test_engine.py shows the replies); here, the words that make a question one of them, and
the look-alike wordings that must not.
"""

from __future__ import annotations

import pytest

from bot.unsaid import spoken_of, unsaid_asked


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Where is the UN headquartered?", "headquarters"),
        ("Where are the UN's main headquarters?", "headquarters"),
        ("Где главная штаб-квартира ООН?", "headquarters"),
        ("БҰҰ-ның бас штаб-пәтері қайда?", "headquarters"),
        ("How many nations are in the United Nations?", "membership"),
        ("Когда Казахстан вступил в ООН?", "membership"),
        ("Сколько всего стран — членов ООН?", "membership"),
        ("БҰҰ-ға неше мемлекет мүше?", "membership"),
        ("What year was the United Nations founded?", "founding"),
        ("Когда была создана ООН?", "founding"),
        ("Is Kazakhstan on the Security Council?", "security council"),
        ("Какие официальные языки в ООН?", "official languages"),
        ("Какие языки являются официальными в ООН?", "official languages"),
        ("Which languages are official at the UN?", "official languages"),
        ("БҰҰ-да қай тілдер ресми?", "official languages"),
        ("Who is the Secretary-General?", "secretary-general"),
        ("What's the street address of UN Plaza?", "address"),
        ("По какому адресу центр?", "address"),
        ("Орталық қай көшеде?", "address"),
        ("When will the resolution take effect?", "entry into force"),
        ("Когда резолюция вступает в силу?", "entry into force"),
        ("Қарар қашан күшіне енеді?", "entry into force"),
        ("Where is UNRCCA?", "unrcca seat"),
        ("В каком городе находится Региональный центр по превентивной дипломатии?", "unrcca seat"),
        ("UNRCCA қай қалада орналасқан?", "unrcca seat"),
        ("How much money will the centre get?", "money"),
        ("Will the centre cooperate with China?", "another country"),
        ("Did the US vote for the resolution?", "another country"),
        ("Какую позицию заняла Россия?", "another country"),
        ("Орталық Жапониямен бірге жұмыс істей ме?", "another country"),
        ("What is Kazakhstan's GDP?", "gdp"),
        ("Какой у Казахстана ВВП на душу населения?", "gdp"),
        ("Қазақстанның ЖІӨ-і қанша?", "gdp"),
        ("Who else was at the meeting besides Nurtleu?", "others present"),
        ("Кто ещё присутствовал на открытии, кроме президента?", "others present"),
        ("Кездесуге Нұртілеуден басқа кімдер қатысты?", "others present"),
        ("Кто ещё, кроме президента, был на церемонии?", "others present"),
        ("Ашылу салтанатында Тоқаевтан басқа кім болды?", "others present"),
        ("How many countries voted in favour of the resolution?", "vote count"),
        ("What was the vote tally?", "vote count"),
        ("Was it a recorded vote?", "vote count"),
        ("Сколько стран проголосовало за резолюцию?", "vote count"),
        ("Как распределились голоса, сколько было «за»?", "vote count"),
        ("Резолюцию принимали поимённым голосованием?", "vote count"),
        ("Қарарды неше ел жақтап дауыс берді?", "vote count"),
        ("Қарар қанша дауыс жинады?", "vote count"),
        ("How many years has Imnadze headed UNRCCA?", "how long"),
        ("Сколько лет Имнадзе возглавляет UNRCCA?", "how long"),
        ("Қанша жылдан бері Имнадзе UNRCCA-ны басқарады?", "how long"),
        ("Where exactly in Astana did they meet?", "exact place"),
        ("В каком здании в Астане прошла встреча?", "exact place"),
        ("Кездесу Астанада нақты қай жерде өтті?", "exact place"),
        ("What else did Tokayev propose at the 74th session?", "something else"),
        ("Какие ещё резолюции инициировал Казахстан?", "something else"),
        ("Тоқаев бұдан басқа қандай бастамалар көтерді?", "something else"),
        ("What has the centre achieved since the resolution?", "since then"),
        ("Что произошло после принятия резолюции?", "since then"),
        ("Қарар қабылданғаннан кейін орталық не істеді?", "since then"),
        ("Which countries count as middle powers?", "which countries"),
        ("Какие именно страны считаются средними державами?", "which countries"),
        ("Қай елдер орта держава саналады?", "which countries"),
        ("Will Kazakhstan run for the Human Rights Council?", "other councils"),
        ("Есть ли в Казахстане национальный совет по ЦУР?", "other councils"),
        ("Қазақстан Адам құқықтары жөніндегі кеңеске сайлана ма?", "other councils"),
        ("What does Kazakhstan's constitution say about the UN?", "other sources"),
        ("Токаев писал о центре в твиттере?", "other sources"),
        ("Орталық туралы халықтан сауалнама алынды ма?", "other sources"),
        ("What do you think, will the centre succeed?", "opinion"),
        ("Как вы думаете, центр поможет региону?", "opinion"),
        ("Сіз қалай ойлайсыз, орталық пайдалы ма?", "opinion"),
        ("At which session was the resolution adopted?", "which session"),
        ("На какой сессии приняли резолюцию?", "which session"),
        ("Қарар қай сессияда қабылданды?", "which session"),
        ("Does the resolution create obligations for Kazakhstan?", "obligations"),
        ("Резолюция имеет обязательную юридическую силу?", "obligations"),
        ("Қарар мемлекеттерге міндеттеме жүктей ме?", "obligations"),
        ("Will the centre help build the Trans-Afghan railway?", "transport projects"),
        ("Центр займётся железной дорогой в Афганистан?", "transport projects"),
        ("Орталық Трансауған теміржолына қатыса ма?", "transport projects"),
        ("Which agency heads did he meet? Names please", "names"),
        ("С кем он встречался, назовите фамилии", "names"),
        ("Агенттік басшыларының аттарын айтыңызшы", "names"),
        ("What did the Russian delegation say when it passed?", "officials not named"),
        ("Who was the UN Resident Coordinator during the visit?", "officials not named"),
        ("Что сказал посол США о центре?", "another country"),  # the country comes first
        ("Что заявили делегации после голосования?", "officials not named"),
        ("Делегациялар қарар туралы не айтты?", "officials not named"),
        ("Қазақстандағы БҰҰ-ның тұрақты үйлестірушісі кім?", "officials not named"),
        ("Will UNDP work with the new centre?", "agencies by name"),
        ("Чем центр будет отличаться от ЭСКАТО?", "agencies by name"),
        ("БҰҰДБ орталықпен жұмыс істей ме?", "agencies by name"),
        ("What do experts say about the centre?", "other sources"),
        ("Что говорят эксперты о центре?", "other sources"),
        ("Сарапшылар орталық туралы не дейді?", "other sources"),
        ("Does the centre deal with the Taliban?", "afghanistan's rulers"),
        ("Помешают ли санкции работе центра?", "afghanistan's rulers"),
        ("Орталық талибтермен жұмыс істей ме?", "afghanistan's rulers"),
        ("What did the Senate say about the resolution?", "other councils"),
        ("Обсуждал ли мажилис создание центра?", "other councils"),
        ("What time did the minister arrive at UN Plaza?", "hour"),
        ("Во сколько началась встреча с Имнадзе?", "hour"),
        ("Кездесу сағат нешеде басталды?", "hour"),
        ("Which hotel did the minister stay at?", "arrangements"),
        ("Какой подарок получил министр?", "arrangements"),
        ("Имнадзеге не сыйлады?", "arrangements"),
        ("How much is the rent for the centre's offices?", "money"),
        ("When will Nurtleu and Imnadze hold their next meeting?", "next meeting"),
        ("Когда следующая встреча министра с главой РЦПДЦА?", "next meeting"),
        ("Келесі кездесу қашан болады?", "next meeting"),
        ("Has the centre signed a memorandum with UNRCCA?", "agreement"),
        ("Какое соглашение заключили Казахстан и ООН о центре?", "agreement"),
        ("Орталық туралы қандай құжатқа қол қойылды?", "agreement"),
        ("Which companies will the centre partner with?", "companies"),
        ("Какие компании уже сотрудничают с центром?", "companies"),
        ("Орталықпен қандай компаниялар жұмыс істейді?", "companies"),
        ("What is Kaha Imnadze's nationality?", "citizenship"),
        ("Какое гражданство у Имнадзе?", "citizenship"),
        ("Имнадзенің азаматтығы қандай?", "citizenship"),
        ("What KPIs will the centre be judged by?", "indicators"),
        ("По каким показателям будут оценивать работу центра?", "indicators"),
        ("Орталықтың жұмысы қандай көрсеткіштермен бағаланады?", "indicators"),
        ("Which floor of UN Plaza will the centre be on?", "room"),
        ("На каком этаже будет центр?", "room"),
        ("Орталық нешінші қабатта болады?", "room"),
        ("Did other cities submit bids to host the centre?", "bids"),
        ("Были ли другие заявки на размещение центра?", "bids"),
        ("Орталықты орналастыруға басқа қалалардың өтінімдері болды ма?", "bids"),
        ("Has UNRCCA helped settle any border disputes?", "disputes"),
        ("Помог ли РЦПДЦА решить споры о воде?", "disputes"),
        ("Шекара мәселесі талқыланды ма?", "disputes"),
        ("When were the SDGs adopted?", "sdgs adopted"),
        ("Когда были приняты ЦУР?", "sdgs adopted"),
        ("ТДМ қай жылы қабылданды?", "sdgs adopted"),
        ("Where in Astana did Nurtleu meet Imnadze?", "exact place"),
        ("Где в Астане прошла встреча?", "exact place"),
        ("Кездесу Астананың қай жерінде өтті?", "exact place"),
        ("Why did Tokayev propose it exactly at the 74th session?", "why then"),
        ("Why was the resolution adopted only in 2025?", "why then"),
        ("Почему резолюцию приняли только в 2025 году?", "why then"),
        ("Почему именно тогда?", "why then"),
        ("Тоқаев бұл идеяны неге дәл 74-сессияда ұсынды?", "why then"),
    ],
)
def test_a_question_about_an_undocumented_topic_is_recognised(question, topic):
    found = unsaid_asked(question)
    assert found is not None and found.name == topic


@pytest.mark.parametrize(
    "question",
    [
        "Is UN Plaza the UN headquarters in Almaty?",  # what people call the building
        "How many UN member states co-sponsored the resolution?",
        "When was the UN centre in Almaty established?",
        "Когда была создана резолюция о центре ООН?",
        "БҰҰ құрылымдары Алматыда қайда орналасқан?",  # "structures", not "founded"
        "What did Tokayev propose in his address to the 74th session?",  # a speech
        "What did Tokayev say about the UN's role in addressing global challenges?",
        "Уважаемый адресат! Кто предложил создать центр?",
        "Что Имнадзе сказал в адрес Казахстана?",  # "towards", not an address
        "Почему центр в Алматы — в силу каких причин?",  # "because of", not "into force"
        "Where did the head of UNRCCA meet the minister?",
        "В каком городе прошла встреча с главой РЦПДЦА?",
        "What is the UN preventive diplomacy office for Central Asia?",
        "Who is the Special Representative of the UN Secretary-General?",
        "Who is the UN Secretary-General's envoy that met Nurtleu?",
        "I don't need the street address, which city will the centre be in?",
        "Адрес не нужен, в каком городе будет центр?",
        "Мекенжайы керек емес, орталық қай қалада болады?",
        # whether anyone voted against: "unanimously" answers it
        "Did anyone vote against the resolution?",
        "How many countries voted against it?",
        "Сколько стран голосовало против?",
        "Қарарға қарсы дауыс бергендер болды ма?",
        "How many countries co-sponsored the resolution?",
        "Сколько за всё время было резолюций о центрах ООН?",  # "за" is not a vote here
        "How long ago did Tokayev propose the centre?",  # "ago": when, not a length of time
        "Where will the centre be?",
        "What else will the centre do?",  # the documents list its tasks
        "What else did Nurtleu and Imnadze discuss?",
        "When was the resolution adopted?",
        "What has Kazakhstan proposed?",
        "Сколько государств — членов ООН поддержали резолюцию?",
        "Hi, I'm a student from India. Where will the centre be?",  # where the asker is from
        "Я из Грузии. Кто такой Имнадзе?",
        "Мен Ресейден келдім, орталық қайда болады?",
        "CAN YOU TELL US WHERE THE CENTRE WILL BE?",  # "us", not the US
        "Будет ли центр работать с Узбекистаном?",  # Central Asia: the region it serves
        "Is Imnadze Georgia's ambassador or the UN's representative?",  # the documents answer
        "Who else will the centre work with besides governments?",  # not who attended
        "Who attended the opening of UN Plaza?",
        "Who is Kazakhstan the largest economy among?",
        "Which country initiated the resolution?",  # one country: the documents name it
        "How many countries signed on as co-sponsors?",  # co-sponsoring, not an agreement
        "Қарарға неше мемлекет бірлескен автор ретінде қол қойды?",
        "Will the centre work with private companies?",  # the private sector: documented
        "Who tabled the draft resolution?",  # a draft resolution, not who drafted it
        "When was the resolution on the SDG centre adopted?",  # the resolution, not the SDGs
        "Тұрақты даму мақсаттары жөніндегі орталық туралы қарар қашан қабылданды?",
        "I work on the floor of a factory; where will the centre be?",
        "Какие интересы страны стоят за этой инициативой?",
        "Каким количеством государств поддержана резолюция?",
        "Who do you think proposed the centre?",  # a fact asked colloquially
        "Do you think you could tell me where the centre will be?",
        "Какие вопросы обсуждали Нуртлеу и Имнадзе?",  # "вопрос" is not a poll
        "How many countries put their names on the resolution?",  # co-sponsored it
        "Who is the central coordinator of multilateral efforts, according to Kazakhstan?",
        "Что было после встречи с Имнадзе?",  # "после" (after), not "посол"
        # why Almaty, why Afghanistan: reasons the documents give, not why a moment was chosen
        "Why exactly in Almaty?",
        "Почему именно в Алматы?",
        "Неге орталық дәл Алматыда?",
        "Why did Kazakhstan propose the centre?",
        "Why now?",  # the UN-80 reform the centre is part of may answer it
    ],
)
def test_a_question_about_what_the_documents_say_is_not_taken_for_one(question):
    assert unsaid_asked(question) is None


@pytest.mark.parametrize(
    "question", ["Финансируется ли центр из бюджета ООН?", "Is it paid from the UN budget?"]
)
def test_money_asked_with_from_is_still_money(question):
    """ "From" sets aside where the asker is from, which is said of places only."""
    found = unsaid_asked(question)
    assert found is not None and found.name == "money"


def test_money_in_kazakh_is_not_the_united_states():
    found = unsaid_asked("Орталыққа қанша ақша бөлінді?")
    assert found is not None and found.name == "money"


def test_an_answer_that_speaks_of_a_topic_lifts_it():
    spoken = spoken_of(["The centre's budget is 2 million dollars a year."])
    assert "money" in spoken
    assert unsaid_asked("What is the centre's budget?", spoken) is None


def test_an_answer_that_names_other_guests_lifts_who_else_attended():
    spoken = spoken_of(["The President opened the building; the mayor also attended."])
    assert unsaid_asked("Who else attended besides the President?", spoken) is None


def test_an_answer_that_names_a_group_of_countries_lifts_which_countries():
    spoken = spoken_of(["Kazakhstan initiated it on behalf of the Central Asian states."])
    assert unsaid_asked("On behalf of which states was it initiated?", spoken) is None
