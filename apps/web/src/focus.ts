/**
 * Moves the focus on the next frame, once React has put the target on the page, unless the
 * person moved it meanwhile: a delete's "focus the next row" must not take the focus back from
 * the Undo that F8 has just reached (on a busy machine the frame can come after the next key).
 */
export function focusNextFrame(target: () => HTMLElement | null | undefined): void {
  const before = document.activeElement;
  requestAnimationFrame(() => {
    const now = document.activeElement;
    if (now && now !== document.body && now !== before) return;
    target()?.focus();
  });
}
