"""Dashboard: how the judge agrees with people, trends over time, the latest benchmark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app import access, resources
from chatbot.service import delete_conversation, describe, purge
from eval.agreement import disagreements, inter_rater, judge_vs_raters, judge_vs_thumbs
from nli_judge.judge.recalibration import RatingsError, fit_from_ratings, rated_from_rows, write

REPORTS = Path("reports")


def _fmt(v, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def agreement(turns: list[dict], feedback: list[dict], ratings: list[dict]) -> None:
    st.subheader("Judge vs people")
    thumbs = judge_vs_thumbs(turns, feedback)
    raters = judge_vs_raters(turns, ratings)
    irr = inter_rater(ratings)
    c = st.columns(4)
    c[0].metric("Judge vs thumbs: accuracy", _fmt(thumbs["accuracy"]),
                help=f"{thumbs['n']} votes; Cohen's kappa {_fmt(thumbs['kappa'])}")
    c[1].metric("Judge vs thumbs: Cohen's kappa", _fmt(thumbs["kappa"]))
    c[2].metric("Judge score vs rating: Spearman", _fmt(raters["spearman"]),
                help=f"{raters['n']} rated turns; verdict accuracy {_fmt(raters['accuracy'])}, "
                f"kappa {_fmt(raters['kappa'])}")
    c[3].metric("Raters: weighted kappa", _fmt(irr["weighted_kappa"]),
                help=f"quadratic-weighted Cohen's kappa over {irr['pairs']} rater pairs on "
                f"{irr['items']} items with two or more raters")
    rows = disagreements(turns, ratings)
    st.markdown("**Where the judge and raters disagree most** (the relabelling queue)")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
    else:
        st.caption("No rated sentences yet.")


def recalibration(ratings: list[dict]) -> None:
    """What the app's ratings would change in the judge's verdicts, and applying it
    (``nli_judge.judge.recalibration``: threshold shrunk toward the shipped one)."""
    st.subheader("Recalibrate the judge from these ratings")
    s = resources.settings()
    in_force = s.judge_calibration_dir
    st.caption(f"Calibration in force: {in_force or 'the shipped one'}. The judge is refitted "
               "on the ratings and shrunk toward the shipped calibration when they are few; "
               "the agreement below is held out (5-fold), not in-sample.")
    if st.button("Compute what the ratings would change", key="recal_preview"):
        st.session_state.pop("recalibration", None)
        try:
            rated = rated_from_rows((f"rating {r.get('id')}", r) for r in ratings)
            with st.spinner(f"Judging {len(rated)} rated answers..."):
                st.session_state["recalibration"] = fit_from_ratings(
                    resources.judge(s.judge_backend), rated, "the app's ratings")
        except RatingsError as e:
            st.info(f"Not recalibrated: {e}.")
    if "recalibration" not in st.session_state:
        return
    calibration, report = st.session_state["recalibration"]
    fitted, held = report["fitted"], report["held_out"]
    c = st.columns(3)
    c[0].metric("Threshold", f"{fitted['threshold']:.3f}",
                f"{fitted['threshold'] - fitted['shipped_threshold']:+.3f}",
                delta_color="off", help=f"now {fitted['shipped_threshold']:.3f}")
    c[1].metric("Agreement with raters now", f"{held['before']:.3f}",
                help="balanced accuracy of the verdicts against the raters")
    c[2].metric("Agreement after (held out)", f"{held['after']:.3f}",
                f"{held['after'] - held['before']:+.3f}")
    if fitted.get("note"):
        st.caption(fitted["note"])
    if fitted.get("weights"):
        st.caption("The answer score's weights, shipped -> fitted on these ratings: "
                   + ", ".join(f"{name} {a:+.2f} -> {b:+.2f}"
                               for name, (a, b) in fitted["weights"].items()))
    if st.button("Apply this calibration", key="recal_apply", type="primary"):
        out = write(s.applied_calibration_dir, calibration, report)
        resources.judge.clear()
        st.session_state.pop("recalibration", None)
        st.success(f"Applied: the judge now uses {out} (delete that folder to go back to the "
                   "shipped calibration).")


def trends(turns: list[dict], feedback: list[dict]) -> None:
    st.subheader("Trends")
    if not turns:
        st.caption("No conversations yet.")
        return
    t = pd.DataFrame(turns)
    t["day"] = pd.to_datetime(t["created_at"]).dt.date
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("Judge score per day (mean)")
        st.line_chart(t.dropna(subset=["judge_score"]).groupby("day")["judge_score"].mean())
    with c2:
        st.markdown("Thumbs up share per day")
        if feedback:
            f = pd.DataFrame(feedback).dropna(subset=["thumbs"])
            f["day"] = pd.to_datetime(f["created_at"]).dt.date
            st.line_chart(f.groupby("day")["thumbs"].mean())
        else:
            st.caption("No feedback yet.")
    c3, c4 = st.columns(2)
    with c3:
        st.markdown("Latency by stage (mean ms)")
        st.bar_chart(t[["retrieval_ms", "generation_ms", "judge_ms"]].mean().rename(
            lambda c: c.removesuffix("_ms")))
    with c4:
        st.markdown("Provider mix")
        st.bar_chart(t["provider"].fillna("none").value_counts())


def latest_report() -> None:
    st.subheader("Latest benchmark (`python -m eval.run`)")
    md = REPORTS / "faithfulness.md"
    if not md.exists():
        st.caption("No report yet: run `python -m eval.run`.")
        return
    st.markdown(md.read_text())
    for png in ("balanced_accuracy.png", "roc_curves.png"):
        if (REPORTS / png).exists():
            st.image(str(REPORTS / png))


def privacy() -> None:
    """Deleting a conversation by id (a visitor sees theirs under the chat) and the
    retention period (``chatbot.access.retention``)."""
    st.subheader("Privacy: delete conversations")
    s = resources.settings()
    kept = f"{s.retention_days:g} days" if s.retention_days else "forever (GC_RETENTION_DAYS=0)"
    st.caption(f"Conversations are kept {kept} after their last answer; deleting one removes "
               "its answers, passages, feedback and the ratings of it.")
    with st.form("delete-conversation", clear_on_submit=True):
        cid = st.text_input("Conversation id", max_chars=64)
        if st.form_submit_button("Delete this conversation") and cid.strip():
            counts = delete_conversation(resources.get_store(), cid.strip())
            if counts["conversations"]:
                st.success("Deleted: " + describe(counts))
            else:
                st.warning("No conversation has that id: nothing deleted.")
    if s.retention_days and st.button("Delete everything past the retention period now"):
        counts = purge(resources.get_store(), s.retention_days)
        st.success(f"Deleted {counts['conversations']} conversations "
                   f"({counts['turns']} answers).")


def page() -> None:
    access.require("staff")
    st.title("Dashboard")
    store = resources.get_store()
    turns, feedback, ratings = store.turns(), store.feedback(), store.ratings()
    agreement(turns, feedback, ratings)
    recalibration(ratings)
    privacy()
    trends(turns, feedback)
    latest_report()
