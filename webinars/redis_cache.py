"""Django's RedisCache, keeping one Redis client per connection pool, plus a one-round-trip
counter for the registration rate limit.

Django builds a new `redis.Redis` client for every cache call; with redis-py 8 that costs more
than the network round trip (it rebuilds the response-callback table each time). A client is
thread-safe and only wraps the shared pool, so one per pool is enough. Selected automatically in
settings when CACHE_URL is a redis:// URL.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def count_in_window(self, key, timeout: int, version=None) -> int:
        """Add one to a counter that expires `timeout` seconds after its first count.

        One round trip (SET NX EX, INCR), where add() then incr() take three; reads back as an
        int through get(), like Django's own incr().
        """
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]
