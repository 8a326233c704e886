from tests.domain.crm.channel.helpers import channel

__all__ = ["channel"]
