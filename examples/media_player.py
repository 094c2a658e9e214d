"""A media player chart with three parallel regions: playback, volume and display.

``playback`` goes stopped -> loading -> playing <-> paused (loading asks a ``source`` actor
for the media, which answers ``ready`` or ``unavailable``); ``volume`` is unmuted / muted
with a level 0..``MAX_VOLUME``; ``display`` is windowed / fullscreen. The regions are
independent, except for ``In`` guards: fullscreen only while not stopped, and the display
leaves fullscreen (an eventless transition) whenever playback stops. ``main()`` drives the
chart in the interpreter, then explores it as an actor with the user's buttons as stimuli
(``PLAY`` at most twice, so the source's queue stays bounded): ``VolumeInRange`` and
``NoFullscreenWhenStopped`` hold, and ``PlayingMutedFullscreen`` (all three regions at
once) is reachable.

Two lessons the exploration taught while writing it: a first version left fullscreen only
on ``STOP``, and the explorer found the other way to stop (the source answers
``unavailable`` while loading) in 4 steps; and ``STOP``, declared on the ``playback``
region with a target inside it, must be ``internal=True``: an external transition's domain
skips parallel states (SCXML's LCCA), so it would exit and re-enter the whole player and
reset the volume and display regions.
"""

from __future__ import annotations

from simulate import Actor, Stimulus, System, actor, invariant, sometimes
from statecharts import Chart, In, Interpreter, Parallel, State, Transition, assign, choose, ctx, if_, reply, send

MAX_VOLUME = 3


def player_chart() -> Chart:
    """Three orthogonal regions of one player."""
    return Chart(
        "MediaPlayer",
        Parallel(
            "player",
            State(
                "playback",
                State("stopped", on={"PLAY": "loading"}),
                State("loading", entry=send("source", "open"), on={"ready": "playing", "unavailable": "stopped"}),
                State("playing", on={"PAUSE": "paused"}),
                State("paused", on={"PLAY": "playing"}),
                on={"STOP": Transition("stopped", guard=~In("stopped"), internal=True)},  # internal: external would exit the whole parallel
            ),
            State(
                "volume",
                State("unmuted", on={"MUTE": "muted"}),
                State("muted", on={"UNMUTE": "unmuted"}),
                on={
                    "LOUDER": Transition(guard=ctx.level < MAX_VOLUME, actions=assign(level=ctx.level + 1)),
                    "QUIETER": Transition(guard=ctx.level > 0, actions=assign(level=ctx.level - 1)),
                },
            ),
            State(
                "display",
                State("windowed", on={"FULLSCREEN": Transition("fullscreen", guard=~In("stopped"))}),
                # leave fullscreen whenever playback stops, however it stops (STOP, or the media is unavailable)
                State("fullscreen", on={"EXIT_FULLSCREEN": "windowed"}, always=Transition("windowed", guard=In("stopped"))),
            ),
        ),
        context={"level": 1},
    )


def source_chart() -> Chart:
    """Where the media comes from: available, or not."""
    answer = choose("ok", (True, False), lambda ok: if_(ok, reply("ready"), reply("unavailable")))
    return Chart("Source", State("up", on={"open": Transition(actions=answer)}))


def build() -> System:
    """The player as an actor, the media source, and the user's buttons."""
    player = actor("player")
    buttons = ["PLAY", "PAUSE", "STOP", "MUTE", "UNMUTE", "LOUDER", "QUIETER", "FULLSCREEN", "EXIT_FULLSCREEN"]
    return System(
        "MediaPlayer",
        actors=[Actor("player", player_chart(), end_states=["stopped", "playing", "paused"]), Actor("source", source_chart(), end_states=["up"])],
        stimuli=[Stimulus("player", "PLAY", max=2), *[Stimulus("player", b) for b in buttons if b != "PLAY"]],
        properties=[
            invariant("VolumeInRange", (player.level >= 0) & (player.level <= MAX_VOLUME)),
            invariant("NoFullscreenWhenStopped", ~(player.in_state("stopped") & player.in_state("fullscreen"))),
            sometimes("PlayingMutedFullscreen", player.in_state("playing") & player.in_state("muted") & player.in_state("fullscreen")),
        ],
    )


system = build()


def demo() -> list[tuple[str, ...]]:
    """Play, mute, go fullscreen, turn it up, stop; returns the active leaves after each event."""
    it = Interpreter(player_chart())
    seen = [it.leaves]
    for ev in ("PLAY", "ready", "MUTE", "FULLSCREEN", "LOUDER", "PAUSE", "STOP"):
        it.send(ev)
        seen.append(it.leaves)
    return seen


def main() -> None:
    """The interpreter demo, then the exploration."""
    for leaves in demo():
        print(" | ".join(leaves))
    print()
    from examples._artifacts import explore_and_report

    result = explore_and_report(build(), "out/media_player")
    trace = result.verdict("PlayingMutedFullscreen").trace
    if trace is not None:
        print(trace.format())


if __name__ == "__main__":
    main()
