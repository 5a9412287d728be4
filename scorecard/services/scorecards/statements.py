"""The scorecard service's SQL, built once at import: autosave is the hottest path of the app.

Building a SELECT or UPDATE object costs more Python time than SQLite takes to run it, so
every statement here takes its values as bound parameters at execution.
"""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from scorecard.models import (
    Application,
    Criterion,
    Interview,
    InterviewStatus,
    Question,
    Rating,
    RedFlag,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    StarEvidence,
    scorecard_red_flags,
)
from scorecard.services.scorecards.fields import STAR_PARTS

CRITERIA_T, QUESTIONS_T, FLAGS_T = Criterion.__table__, Question.__table__, RedFlag.__table__
APPS_T, INTERVIEWS_T = Application.__table__, Interview.__table__
RATINGS_T, STARS_T, CARDS_T = Rating.__table__, StarEvidence.__table__, Scorecard.__table__
CARD_FLAGS_T = scorecard_red_flags

# --- reading a scorecard ------------------------------------------------------------------------

CARD = (
    sa.select(Scorecard)
    .join(Interview, Scorecard.interview_id == Interview.id)
    .where(Scorecard.id == sa.bindparam("card_id"))
    .options(contains_eager(Scorecard.interview))
)
CARD_FOR_UPDATE = CARD.with_for_update(of=Scorecard).execution_options(populate_existing=True)
CARD_ROW = (
    sa.select(
        CARDS_T.c.id,
        CARDS_T.c.interviewer_id,
        CARDS_T.c.version_id,
        CARDS_T.c.interview_id,
        CARDS_T.c.status,
        CARDS_T.c.lock_version,
        INTERVIEWS_T.c.status.label("interview_status"),
    )
    .join(INTERVIEWS_T, CARDS_T.c.interview_id == INTERVIEWS_T.c.id)
    .where(CARDS_T.c.id == sa.bindparam("card_id"))
    .with_for_update(of=CARDS_T)
)
JOB_OF_INTERVIEW = (
    sa.select(Application.job_id)
    .join(Interview, Interview.application_id == Application.id)
    .where(Interview.id == sa.bindparam("interview_id"))
)
FLAGS_OF_JOB = sa.select(RedFlag.id).where(RedFlag.job_id == sa.bindparam("job_id"))
# A scorecard's content, as plain rows (autosave writes with Core statements, so an ORM
# object loaded earlier in the session could be stale).
FIELD_QUERIES = {
    "ratings": sa.select(RATINGS_T.c.criterion_id, RATINGS_T.c.value, RATINGS_T.c.note).where(
        RATINGS_T.c.scorecard_id == sa.bindparam("card_id")
    ),
    "star": sa.select(STARS_T.c.question_id, *(STARS_T.c[p] for p in STAR_PARTS)).where(
        STARS_T.c.scorecard_id == sa.bindparam("card_id")
    ),
    "flags": sa.select(CARD_FLAGS_T.c.red_flag_id).where(
        CARD_FLAGS_T.c.scorecard_id == sa.bindparam("card_id")
    ),
}
# Ratings and STAR notes in one round trip (the kit page and the state read both): each row
# is (kind, id, value, text, text, text, text) — a rating's note is its first text, and a
# STAR row has no value.
_NO_TEXT = sa.null().cast(sa.Text)
_RATING_ROWS = sa.select(
    sa.literal("r").label("kind"),
    RATINGS_T.c.criterion_id.label("ref"),
    RATINGS_T.c.value.label("value"),
    RATINGS_T.c.note.cast(sa.Text).label("t1"),
    _NO_TEXT.label("t2"),
    _NO_TEXT.label("t3"),
    _NO_TEXT.label("t4"),
).where(RATINGS_T.c.scorecard_id == sa.bindparam("card_id"))
_STAR_ROWS = sa.select(
    sa.literal("s"),
    STARS_T.c.question_id,
    sa.null().cast(sa.Integer),
    *(STARS_T.c[p].cast(sa.Text) for p in STAR_PARTS),
).where(STARS_T.c.scorecard_id == sa.bindparam("card_id"))
CONTENT = sa.union_all(_RATING_ROWS, _STAR_ROWS)

# The kit page's: the same rows, and the job's red flags — (kind "f", id, 1 if this
# scorecard ticks it else 0, label zh, label en, description zh, description en) — with
# the flag's position last (None for the others), flags in their order: one round trip
# where there were two.
_NO_POSITION = sa.null().cast(sa.Integer)
KIT_CONTENT = sa.union_all(
    _RATING_ROWS.add_columns(_NO_POSITION.label("position")),
    _STAR_ROWS.add_columns(_NO_POSITION),
    sa.select(
        sa.literal("f"),
        FLAGS_T.c.id,
        sa.case(
            (
                sa.exists().where(
                    CARD_FLAGS_T.c.red_flag_id == FLAGS_T.c.id,
                    CARD_FLAGS_T.c.scorecard_id == sa.bindparam("card_id"),
                ),
                1,
            ),
            else_=0,
        ),
        FLAGS_T.c.label_zh.cast(sa.Text),
        FLAGS_T.c.label_en.cast(sa.Text),
        FLAGS_T.c.description_zh.cast(sa.Text),
        FLAGS_T.c.description_en.cast(sa.Text),
        FLAGS_T.c.position,
    ).where(FLAGS_T.c.job_id == sa.bindparam("job_id")),
).order_by(sa.literal_column("position"), sa.literal_column("ref"))

# --- what a change may name -------------------------------------------------------------------
# Every id of the version (or job) at once: a fixed statement is compiled once, whereas an
# IN list of varying length is compiled anew on each save.

KNOWN_IDS = {
    "rating": sa.select(CRITERIA_T.c.id).where(
        CRITERIA_T.c.version_id == sa.bindparam("version_id")
    ),
    "star": sa.select(QUESTIONS_T.c.id).where(
        QUESTIONS_T.c.version_id == sa.bindparam("version_id"),
        QUESTIONS_T.c.star.is_(True),
    ),
}
FLAGS_OF_CARD = (
    sa.select(FLAGS_T.c.id)
    .join(APPS_T, APPS_T.c.job_id == FLAGS_T.c.job_id)
    .join(INTERVIEWS_T, INTERVIEWS_T.c.application_id == APPS_T.c.id)
    .where(INTERVIEWS_T.c.id == sa.bindparam("interview_id"))
)

# --- writing ------------------------------------------------------------------------------------
# UPDATEs whose SET clause comes from the parameters given at execution.

UPDATE_ROW = {
    "rating": sa.update(RATINGS_T).where(
        RATINGS_T.c.scorecard_id == sa.bindparam("w_card"),
        RATINGS_T.c.criterion_id == sa.bindparam("w_key"),
    ),
    "star": sa.update(STARS_T).where(
        STARS_T.c.scorecard_id == sa.bindparam("w_card"),
        STARS_T.c.question_id == sa.bindparam("w_key"),
    ),
}
INSERT_ROW = {"rating": sa.insert(RATINGS_T), "star": sa.insert(STARS_T)}
TICK_FLAG = sa.insert(CARD_FLAGS_T)
UNTICK_FLAG = sa.delete(CARD_FLAGS_T).where(
    CARD_FLAGS_T.c.scorecard_id == sa.bindparam("w_card"),
    CARD_FLAGS_T.c.red_flag_id == sa.bindparam("w_flag"),
)
BUMP = sa.update(CARDS_T).where(
    CARDS_T.c.id == sa.bindparam("w_id"), CARDS_T.c.lock_version == sa.bindparam("w_lock")
)
# Autosave in one statement: the version bump succeeds only for the author's own draft, at
# the lock_version the writer saw, while its interview is not cancelled (the conditions
# `autosave` checks one by one), and returns what the rest of the save needs. On
# PostgreSQL the UPDATE locks the row as FOR UPDATE did; a concurrent save with the same
# lock_version then matches nothing and takes the checked path, which answers 409.
SAVE_DRAFT = (
    sa.update(CARDS_T)
    .where(
        CARDS_T.c.id == sa.bindparam("w_id"),
        CARDS_T.c.interviewer_id == sa.bindparam("w_user"),
        CARDS_T.c.lock_version == sa.bindparam("w_lock"),
        CARDS_T.c.status == ScorecardStatus.DRAFT,
        sa.exists().where(
            INTERVIEWS_T.c.id == CARDS_T.c.interview_id,
            INTERVIEWS_T.c.status != InterviewStatus.CANCELLED,
        ),
    )
    .returning(CARDS_T.c.version_id, CARDS_T.c.interview_id)
)

# --- submitting -----------------------------------------------------------------------------------

CRITERIA_TO_SUBMIT = (
    sa.select(CRITERIA_T.c.id, CRITERIA_T.c.must_have)
    .where(CRITERIA_T.c.version_id == sa.bindparam("version_id"))
    .order_by(CRITERIA_T.c.position, CRITERIA_T.c.id)
)
TICKED_FLAG_KEYS = (
    sa.select(FLAGS_T.c.key)
    .join(CARD_FLAGS_T, CARD_FLAGS_T.c.red_flag_id == FLAGS_T.c.id)
    .where(CARD_FLAGS_T.c.scorecard_id == sa.bindparam("card_id"))
    .order_by(FLAGS_T.c.key)
)
SUBMISSION_OF_CARD = (
    sa.select(ScorecardSubmission)
    .where(ScorecardSubmission.scorecard_id == sa.bindparam("card_id"))
    .execution_options(populate_existing=True)
)
RATING_OF_CARD = (
    sa.select(Rating)
    .where(
        Rating.scorecard_id == sa.bindparam("card_id"),
        Rating.criterion_id == sa.bindparam("criterion_id"),
    )
    .execution_options(populate_existing=True)
)
