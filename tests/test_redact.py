"""A URL's password never reaches a message (normwatch.errors.redact)."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from normwatch.errors import StoreError, redact, url_secrets

#: what a password may hold in a URL: anything but "@" (where SQLAlchemy ends it)
PASSWORDS = st.text(
    st.characters(blacklist_characters="@", blacklist_categories=["Cs"]), min_size=1
)


@given(PASSWORDS)
def test_the_password_of_a_url_is_hidden(password: str) -> None:
    # (a password that is also part of the rest of the URL is hidden there too)
    assume(password not in "postgresql+psycopg://team:@db.example:5432/normwatch")
    url = f"postgresql+psycopg://team:{password}@db.example:5432/normwatch"
    assert (
        redact(url, url_secrets(url)) == "postgresql+psycopg://team:***@db.example:5432/normwatch"
    )


@given(
    st.text(
        st.characters(blacklist_characters="&# \t\n\r:", blacklist_categories=["Cs", "Z", "C"]),
        min_size=1,
    )
)
def test_a_password_in_the_query_is_hidden_in_a_message(password: str) -> None:
    url = f"postgresql+psycopg://team@db.example/normwatch?sslmode=require&password={password}"
    message = str(StoreError(f"cannot read store {url}: connection refused"))
    assert message == (
        "cannot read store postgresql+psycopg://team@db.example/normwatch?sslmode=require&"
        "password=***: connection refused"
    )


def test_a_driver_quoting_the_password_in_its_own_words_is_hidden_too() -> None:
    url = "postgresql+psycopg://team:p%40ss-word@db.example/normwatch"
    assert url_secrets(url) == ["p%40ss-word", "p@ss-word"]
    said = 'invalid dsn: password "p@ss-word" rejected'
    assert redact(said, url_secrets(url)) == 'invalid dsn: password "***" rejected'


def test_urls_without_a_password_are_left_as_they_are() -> None:
    for text in (
        "sqlite:////home/me/a:b@c.sqlite",
        "postgresql://team@db.example/normwatch",
        "postgresql://team:@db.example/normwatch",
        "see https://treaties.un.org:443/Pages/x.aspx?src=TREATY: given up",
    ):
        assert redact(text, url_secrets(text)) == text
