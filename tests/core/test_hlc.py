from saypro_desktop.core.hlc import MAX_DRIFT_MS, HybridLogicalClock, Stamp


class Wall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_ticks_are_strictly_increasing_when_the_wall_clock_stands_still_or_goes_back():
    wall = Wall(1_000)
    clock = HybridLogicalClock("a", now_ms=wall)
    first = clock.tick()
    second = clock.tick()
    wall.ms = 500  # the machine's clock is set back
    third = clock.tick()
    assert first < second < third
    assert (first.wall_ms, first.counter) == (1_000, 0)
    assert (third.wall_ms, third.counter) == (1_000, 2)
    assert str(first) < str(second) < str(third)  # string order is stamp order


def test_observing_a_remote_stamp_from_a_clock_hours_ahead_orders_later_local_edits_after_it():
    wall = Wall(10_000)
    local = HybridLogicalClock("a", now_ms=wall)
    remote = Stamp(10_000 + 3 * 3_600_000, 7, "b")  # a desktop whose clock runs 3 h fast
    local.observe(remote)
    after = local.tick()
    assert after > remote
    assert after.wall_ms == remote.wall_ms and after.counter == 9


def test_a_stamp_far_in_the_future_is_clamped():
    wall = Wall(10_000)
    local = HybridLogicalClock("a", now_ms=wall)
    local.observe(Stamp(10_000 + 10 * MAX_DRIFT_MS, 0, "b"))
    assert local.wall_ms == 10_000 + MAX_DRIFT_MS


def test_device_breaks_ties_and_stamps_round_trip():
    a, b = Stamp(5, 1, "aaa"), Stamp(5, 1, "bbb")
    assert a < b and str(a) < str(b)
    assert Stamp.parse(str(b)) == b


def test_counter_overflow_borrows_the_next_millisecond():
    wall = Wall(1)
    clock = HybridLogicalClock("a", wall_ms=1, counter=0xFFFFF, now_ms=wall)
    s = clock.tick()
    assert (s.wall_ms, s.counter) == (2, 0)
