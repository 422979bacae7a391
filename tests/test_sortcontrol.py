"""Keyboard pixel-sort control, without a window."""

from shaderviz.app.sortcontrol import SortControl
from shaderviz.effects.chain import parse_fx


def test_arrows_drive_one_flow_instance(registry):
    chain = [parse_fx("blur", registry)]
    control = SortControl(speed=5)
    assert control.apply(chain, registry) is None and len(chain) == 1  # nothing until used
    control.press("LEFT")
    sort = control.apply(chain, registry)
    assert chain[-1] is sort and sort.values["mode"] == "flow"
    assert (sort.values["axis"], sort.values["descending"], sort.values["speed"]) == ("x", True, 5)
    control.press("DOWN")
    control.apply(chain, registry)
    assert (sort.values["axis"], sort.values["descending"]) == ("y", False)
    control.release("DOWN")
    control.apply(chain, registry)
    assert sort.values["axis"] == "x"  # back to the arrow still held
    control.release("LEFT")
    control.apply(chain, registry)
    assert sort.values["speed"] == 0  # released: stops where it is
    assert len(chain) == 2


def test_auto_sort_cycle_key_and_reset(registry):
    chain = []
    control = SortControl(speed=3)
    assert control.toggle_auto()
    sort = control.apply(chain, registry)
    assert sort.values["speed"] == 3
    keys = [control.cycle_key(chain, registry) for _ in range(7)]
    assert keys[0] == "hue" and keys[-1] == "lightness" and len(set(keys)) == 7
    assert control.reset(chain, registry)  # X: the sort leaves the chain (and its cost with it)
    assert chain == [] and not control.auto
    assert control.apply(chain, registry) is None and chain == []  # nothing comes back by itself
    assert not control.reset(chain, registry)


def test_uses_existing_flow_instance(registry):
    chain = [parse_fx("pixelsort mode=flow key=hue speed=2 angle=30", registry)]
    control = SortControl()
    control.press("UP")
    assert control.apply(chain, registry) is chain[0] and len(chain) == 1
    assert chain[0].values["key"] == "hue"
    assert chain[0].values["angle"] == 0  # the arrows sort columns straight up


def test_a_tap_shorter_than_a_frame_sorts_once(registry):
    chain = []
    control = SortControl(speed=6)
    control.press("DOWN")
    control.release("DOWN")  # both between two frames
    sort = control.apply(chain, registry)
    assert sort is not None and sort.values["speed"] == 6 and sort.values["axis"] == "y"
    assert control.apply(chain, registry).values["speed"] == 0


def test_a_disabled_sort_stays_off_until_sorted_again(registry):
    """Turning the sort off (chain editing) holds: only a sort key turns it back on."""
    chain = []
    control = SortControl()
    control.press("RIGHT")
    sort = control.apply(chain, registry)
    control.release("RIGHT")
    sort.enabled = False
    control.apply(chain, registry)
    assert not sort.enabled
    control.press("LEFT")
    control.apply(chain, registry)
    assert sort.enabled and len(chain) == 1


def test_on_video_the_keyboard_sort_carries_across_frames(registry):
    chain = []
    control = SortControl(carry=True)
    control.press("RIGHT")
    assert control.apply(chain, registry).values["carry"] is True
    assert SortControl().apply([], registry) is None
