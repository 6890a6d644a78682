/**
 * The streaming protocol a WorkSpace uses.
 */
export enum Protocol {
  /**
   * PC-over-IP.
   */
  PCOIP = 'PCOIP',

  /**
   * WorkSpaces Streaming Protocol (DCV).
   */
  WSP = 'WSP',
}
