import httpx
import pytest
from fakeredis import FakeAsyncRedis

from gateway.main import create_app
from gateway.ratelimit import InProcessLimiter, RedisLimiter
from gateway.settings import GatewaySettings
from tests.support import assert_problem


class TestInProcessLimiter:
    async def test_allows_the_burst_then_asks_to_wait(self):
        limiter = InProcessLimiter(per_minute=60, burst=3)
        assert [await limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
        wait = await limiter.hit("a")
        assert 0 < wait <= 1.0
        assert await limiter.hit("b") == 0.0


class TestRedisLimiter:
    async def test_replicas_sharing_one_redis_share_one_limit(self):
        redis = FakeAsyncRedis()
        one, two = RedisLimiter(redis, per_minute=4), RedisLimiter(redis, per_minute=4)
        results = [await (one if i % 2 else two).hit("client:x") for i in range(6)]
        assert results[:4] == [0.0] * 4 and all(0 < r <= 60 for r in results[4:])


@pytest.fixture
def limited_gateway(apps, database_url, keypair):
    settings = GatewaySettings(database_url=database_url, jwt_private_key=keypair[0], jwt_public_key=keypair[1],
                               rate_limit_per_minute=60, rate_limit_burst=2)
    upstreams = {n: httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url=f"http://{n}")
                 for n, a in apps.services.items()}
    return create_app(settings, upstreams=upstreams)


class TestGatewayRateLimit:
    async def test_over_the_limit_answers_429_with_retry_after_per_client(self, limited_gateway, auth, connection):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited_gateway),
                                     base_url="http://gw") as client:
            statuses = [(await client.get("/api/v1/regions/18", headers=auth(client_id="a"))).status_code
                        for _ in range(3)]
            assert statuses[:2] == [200, 200]
            limited = await client.get("/api/v1/regions/18", headers=auth(client_id="a"))
            assert_problem(limited, 429, "rate-limited")
            assert int(limited.headers["retry-after"]) >= 1
            other = await client.get("/api/v1/regions/18", headers=auth(client_id="b"))
            assert other.status_code == 200
            assert (await client.get("/health")).status_code == 200
