"""What the admins read in Telegram, in English, Russian and Kazakh: /stats, /unanswered,
/feedback, /reload and the notices a live reload sends.

Each admin reads them in the language the bot talks to them in (their /language choice, else
the language of their Telegram app; a notice the bot sends unasked uses the choice, else
English). Intent ids, YAML keys, file names and the validator's `file:line` messages stay as
they are in the files: they are what the admin searches for and edits.

Texts are plain (no HTML): the callers escape them with everything they are combined with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.text import Lang

_TEXTS: Final[Mapping[str, Mapping[Lang, str]]] = {
    # --- reports: /stats, /unanswered, /feedback ---
    "usage": {
        "en": "Usage: /{command} [24h|7d|30d|all] (default {default})",
        "ru": "Формат: /{command} [24h|7d|30d|all] (по умолчанию {default})",
        "kk": "Қолданылуы: /{command} [24h|7d|30d|all] (әдепкісі {default})",
    },
    "log_unreadable": {
        "en": "The question log cannot be read right now; see the bot's log for why.",
        "ru": "Журнал вопросов сейчас не удаётся прочитать; причина — в логе бота.",
        "kk": "Сұрақтар журналын қазір оқу мүмкін емес; себебін боттың логынан қараңыз.",
    },
    "all_time": {"en": "all time", "ru": "за всё время", "kk": "барлық уақытта"},
    "no_questions": {
        "en": "No questions in {period}.",
        "ru": "Вопросов нет ({period}).",
        "kk": "Сұрақ жоқ ({period}).",
    },
    "questions": {
        "en": "Questions: {total} ({period})",
        "ru": "Вопросов: {total} ({period})",
        "kk": "Сұрақтар: {total} ({period})",
    },
    "languages": {"en": "Languages: {shares}", "ru": "Языки: {shares}", "kk": "Тілдер: {shares}"},
    "outcomes": {
        "en": "Outcomes: {shares}",
        "ru": "Исходы: {shares}",
        "kk": "Нәтижелер: {shares}",
    },
    "none": {"en": "(none)", "ru": "(нет)", "kk": "(жоқ)"},
    "top_intents": {
        "en": "Top intents:",
        "ru": "Частые интенты:",
        "kk": "Жиі кездесетін интенттер:",
    },
    "per_day": {"en": "Per day:", "ru": "По дням:", "kk": "Күндер бойынша:"},
    "no_unanswered": {
        "en": "No unanswered questions in {period}.",
        "ru": "Вопросов без ответа нет ({period}).",
        "kk": "Жауапсыз сұрақ жоқ ({period}).",
    },
    "unanswered": {
        "en": "Unanswered: {total} questions, most frequent first",
        "ru": "Вопросов без ответа: {total}, сначала самые частые",
        "kk": "Жауапсыз: {total} сұрақ, ең жиілері алдымен",
    },
    "closest": {
        "en": "   closest: {intent} ({score}); add under questions/{language}: {item}",
        "ru": "   ближе всего: {intent} ({score}); добавьте в questions/{language}: {item}",
        "kk": "   ең жақыны: {intent} ({score}); questions/{language} ішіне қосыңыз: {item}",
    },
    "no_votes": {
        "en": "No votes in {period}.",
        "ru": "Оценок нет ({period}).",
        "kk": "Баға жоқ ({period}).",
    },
    "feedback": {
        "en": "Feedback (👍 / 👎):",
        "ru": "Оценки (👍 / 👎):",
        "kk": "Бағалар (👍 / 👎):",
    },
    "voted_down": {
        "en": "Voted down, after these questions:",
        "ru": "👎 после этих вопросов:",
        "kk": "Мына сұрақтардан кейін 👎 қойылды:",
    },
    "more_lines": {
        "en": "…and {count} more lines",
        "ru": "…и ещё строк: {count}",
        "kk": "…тағы {count} жол",
    },
    # --- live reload ---
    "reloaded": {
        "en": "Knowledge reloaded.",
        "ru": "База знаний перезагружена.",
        "kk": "Білім базасы қайта жүктелді.",
    },
    "reloaded_fixed": {
        "en": "Knowledge reloaded (the earlier problems are fixed).",
        "ru": "База знаний перезагружена (прежние ошибки исправлены).",
        "kk": "Білім базасы қайта жүктелді (бұрынғы қателер түзетілді).",
    },
    "added": {"en": "Added: {ids}", "ru": "Добавлены: {ids}", "kk": "Қосылды: {ids}"},
    "changed": {"en": "Changed: {ids}", "ru": "Изменены: {ids}", "kk": "Өзгерді: {ids}"},
    "removed": {"en": "Removed: {ids}", "ru": "Удалены: {ids}", "kk": "Жойылды: {ids}"},
    "also_changed": {
        "en": "Also changed: {names}",
        "ru": "Также изменены: {names}",
        "kk": "Сондай-ақ өзгерді: {names}",
    },
    "and_more": {"en": " and {count} more", "ru": " и ещё {count}", "kk": " және тағы {count}"},
    "more_problems": {
        "en": "…and {count} more",
        "ru": "…и ещё {count}",
        "kk": "…және тағы {count}",
    },
    "not_reloaded": {
        "en": (
            "Knowledge NOT reloaded: {count} problem(s). "
            "The bot keeps answering from the previous version."
        ),
        "ru": (
            "База знаний НЕ перезагружена, ошибок: {count}. "
            "Бот продолжает отвечать по предыдущей версии."
        ),
        "kk": (
            "Білім базасы қайта ЖҮКТЕЛМЕДІ, қате саны: {count}. "
            "Бот алдыңғы нұсқа бойынша жауап беруін жалғастырады."
        ),
    },
    "fix_files": {
        "en": "Fix the files and save again; run `python -m bot check` to see the same list.",
        "ru": "Исправьте файлы и сохраните снова; тот же список выводит `python -m bot check`.",
        "kk": "Файлдарды түзетіп, қайта сақтаңыз; осы тізімді `python -m bot check` шығарады.",
    },
    "no_changes": {
        "en": "No changes: intents/ and seeds/ are as at the last reload.",
        "ru": "Изменений нет: intents/ и seeds/ такие же, как при последней перезагрузке.",
        "kk": "Өзгеріс жоқ: intents/ және seeds/ соңғы қайта жүктеудегідей.",
    },
}


def admin_text(key: str, lang: Lang, **values: object) -> str:
    """The admin text `key` in `lang`, with its {placeholders} filled in."""
    return _TEXTS[key][lang].format(**values)
