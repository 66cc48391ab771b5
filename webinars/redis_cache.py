"""Django's RedisCache, keeping one Redis client per connection pool.

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
