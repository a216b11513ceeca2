/** Result of aiming a view at bytes. Getters are valid only after `Ok`. */
export const Status = {
  Ok: 0,
  /** The captured bytes end before the header does (snaplen cut, or a short frame). */
  Truncated: 1,
  /** A field is impossible (length below the minimum, wrong version). */
  Malformed: 2,
} as const;
export type Status = (typeof Status)[keyof typeof Status];
