/**
 * The compute type (hardware) of a WorkSpace.
 *
 * The constants are the compute types the WorkSpaces API knows today; use `ComputeType.of()`
 * for one that is newer than this library.
 */
export class ComputeType {
  /** Value: 1 vCPU, 2 GiB memory. */
  public static readonly VALUE = new ComputeType('VALUE');
  /** Standard: 2 vCPU, 4 GiB memory. */
  public static readonly STANDARD = new ComputeType('STANDARD');
  /** Performance: 2 vCPU, 7.5 GiB memory. */
  public static readonly PERFORMANCE = new ComputeType('PERFORMANCE');
  /** Power: 4 vCPU, 16 GiB memory. */
  public static readonly POWER = new ComputeType('POWER');
  /** PowerPro: 8 vCPU, 32 GiB memory. */
  public static readonly POWERPRO = new ComputeType('POWERPRO');
  /** GeneralPurpose.4xlarge: 16 vCPU, 64 GiB memory. */
  public static readonly GENERALPURPOSE_4XLARGE = new ComputeType('GENERALPURPOSE_4XLARGE');
  /** GeneralPurpose.8xlarge: 32 vCPU, 128 GiB memory. */
  public static readonly GENERALPURPOSE_8XLARGE = new ComputeType('GENERALPURPOSE_8XLARGE');
  /** Graphics (legacy). */
  public static readonly GRAPHICS = new ComputeType('GRAPHICS');
  /** GraphicsPro (legacy). */
  public static readonly GRAPHICSPRO = new ComputeType('GRAPHICSPRO');
  /** Graphics.g4dn. */
  public static readonly GRAPHICS_G4DN = new ComputeType('GRAPHICS_G4DN');
  /** GraphicsPro.g4dn. */
  public static readonly GRAPHICSPRO_G4DN = new ComputeType('GRAPHICSPRO_G4DN');
  /** Graphics.g6.xlarge. */
  public static readonly GRAPHICS_G6_XLARGE = new ComputeType('GRAPHICS_G6_XLARGE');
  /** Graphics.g6.2xlarge. */
  public static readonly GRAPHICS_G6_2XLARGE = new ComputeType('GRAPHICS_G6_2XLARGE');
  /** Graphics.g6.4xlarge. */
  public static readonly GRAPHICS_G6_4XLARGE = new ComputeType('GRAPHICS_G6_4XLARGE');
  /** Graphics.g6.8xlarge. */
  public static readonly GRAPHICS_G6_8XLARGE = new ComputeType('GRAPHICS_G6_8XLARGE');
  /** Graphics.g6.16xlarge. */
  public static readonly GRAPHICS_G6_16XLARGE = new ComputeType('GRAPHICS_G6_16XLARGE');
  /** Graphics.g6f.large. */
  public static readonly GRAPHICS_G6F_LARGE = new ComputeType('GRAPHICS_G6F_LARGE');
  /** Graphics.g6f.xlarge. */
  public static readonly GRAPHICS_G6F_XLARGE = new ComputeType('GRAPHICS_G6F_XLARGE');
  /** Graphics.g6f.2xlarge. */
  public static readonly GRAPHICS_G6F_2XLARGE = new ComputeType('GRAPHICS_G6F_2XLARGE');
  /** Graphics.g6f.4xlarge. */
  public static readonly GRAPHICS_G6F_4XLARGE = new ComputeType('GRAPHICS_G6F_4XLARGE');
  /** Graphics.gr6.4xlarge. */
  public static readonly GRAPHICS_GR6_4XLARGE = new ComputeType('GRAPHICS_GR6_4XLARGE');
  /** Graphics.gr6.8xlarge. */
  public static readonly GRAPHICS_GR6_8XLARGE = new ComputeType('GRAPHICS_GR6_8XLARGE');
  /** Graphics.gr6f.4xlarge. */
  public static readonly GRAPHICS_GR6F_4XLARGE = new ComputeType('GRAPHICS_GR6F_4XLARGE');

  /**
   * A compute type by its API name, for one this library does not list yet.
   *
   * @param name the name the WorkSpaces API uses, for example `STANDARD`
   */
  public static of(name: string): ComputeType {
    return new ComputeType(name);
  }

  /**
   * @param name the name the WorkSpaces API uses (`ComputeTypeName`)
   */
  private constructor(public readonly name: string) {}

  /** The API name. */
  public toString(): string {
    return this.name;
  }
}
