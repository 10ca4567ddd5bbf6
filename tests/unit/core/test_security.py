from alima.core.security import hash_password, pseudonym, token_hash, verify_password


def test_argon2_hash_verifies_and_rejects() -> None:
    hashed = hash_password("un mot de passe long")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "un mot de passe long")
    assert not verify_password(hashed, "un mot de passe lonG")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_token_hash_is_sha256_hex() -> None:
    assert len(token_hash("abc")) == 64
    assert token_hash("abc") != token_hash("abd")


def test_pseudonym_is_stable_and_keyed() -> None:
    assert pseudonym("k1", "patient") == pseudonym("k1", "patient")
    assert pseudonym("k1", "patient") != pseudonym("k2", "patient")
