import pytest

from patron.channels.actions import create_channel


@pytest.fixture
def shop(db, system):
    """An active channel "webshop" and its secret."""
    channel, secret = create_channel(actor=system, code="webshop", name="Our webshop")
    channel.test_secret = secret
    return channel
