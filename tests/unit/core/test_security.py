from alima.core.security import hash_password, pseudonym, token_hash, verify_password


def test_argon2_hash_verifies_and_rejects() -> None:
    hashed = hash_password("un mot de passe long")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "un mot de passe long")
    assert not verify_password(hashed, "un mot de passe lonG")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_token_hash_is_sha256_hex() -> None:
    # FIPS 180-2, appendix B.1: SHA-256("abc").
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert token_hash("abc") != token_hash("abd")


def test_pseudonym_is_the_hmac_sha256_of_the_value_keyed_by_the_secret() -> None:
    """Known answers: the first `length` hex digits, upper case, of HMAC-SHA256(secret, value).

    The first two are RFC 4231 test cases 1 and 2 (published digests); the others fix the UTF-8
    encoding of a French key and of a name with diacritics, so that a research export made
    today can still be linked to one made after an upgrade.
    """
    rfc4231_1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    rfc4231_2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert pseudonym("\x0b" * 20, "Hi There", length=64) == rfc4231_1.upper()
    assert pseudonym("Jefe", "what do ya want for nothing?") == "5BDCC146BF60"
    assert pseudonym("Jefe", "what do ya want for nothing?", length=64) == rfc4231_2.upper()
    assert pseudonym("clé-étude", "ML-SEG-NIO-NC-CS-00001") == "55469E35DB69"
    assert pseudonym("clé-étude", "Aïssata Maïga", length=20) == "45CC780BD3CE5DBC6249"
    assert pseudonym("k1", "patient") != pseudonym("k2", "patient")
