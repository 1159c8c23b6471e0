from podium.core.text import storable


def test_nul_is_replaced_and_the_rest_kept():
    assert storable("a\x00b\x00") == "a\ufffdb\ufffd"
    assert storable("plain é") == "plain é"
