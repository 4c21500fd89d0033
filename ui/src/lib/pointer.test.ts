import { describe, expect, it } from "vitest";
import { followPointer } from "./pointer";

class Handle extends EventTarget {
  captured: number[] = [];
  setPointerCapture(id: number) {
    this.captured.push(id);
  }
}

const pointer = (type: string, clientX: number) => Object.assign(new Event(type), { clientX }) as PointerEvent;

describe("following a drag", () => {
  it("captures the pointer, reports each move, ends once on release and then hears no more", () => {
    const el = new Handle();
    const xs: number[] = [];
    let ends = 0;
    followPointer(
      { currentTarget: el, pointerId: 7 } as unknown as PointerEvent,
      (e) => xs.push(e.clientX),
      () => ends++,
    );
    expect(el.captured).toEqual([7]);
    el.dispatchEvent(pointer("pointermove", 10));
    el.dispatchEvent(pointer("pointermove", 25));
    el.dispatchEvent(pointer("pointerup", 25));
    el.dispatchEvent(pointer("pointermove", 40));
    el.dispatchEvent(pointer("pointerup", 40));
    expect(xs).toEqual([10, 25]);
    expect(ends).toBe(1);
  });

  it("ends a cancelled drag the same way", () => {
    const el = new Handle();
    let ends = 0;
    followPointer({ currentTarget: el, pointerId: 1 } as unknown as PointerEvent, () => {}, () => ends++);
    el.dispatchEvent(pointer("pointercancel", 0));
    el.dispatchEvent(pointer("pointerup", 0));
    expect(ends).toBe(1);
  });
});
