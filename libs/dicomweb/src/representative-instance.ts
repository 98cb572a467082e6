import { Injectable } from '@nestjs/common';
import { NotFoundError, StoredInstance } from '@pacs/index';
import { PixelService, ResourceScope } from './pixel.service';

/** How many instances around the middle are tried before a series is said to have no image. */
const MAX_TRIES = 8;

/**
 * Chooses the instance that stands for a study or series in /rendered and /thumbnail
 * (PS3.18 10.4.1.1.4 leaves the choice to the server): the middle instance in series number,
 * instance number order, or the nearest one to it that has Pixel Data. For an instance
 * resource, that instance. Returns its stored bytes after checking the frame exists.
 */
@Injectable()
export class RepresentativeInstance {
  constructor(private readonly pixels: PixelService) {}

  async read(scope: ResourceScope, frame: number): Promise<Buffer> {
    const instances = await this.pixels.findInstances(scope);
    let lastMiss: NotFoundError | undefined;
    for (const instance of middleOutward(instances).slice(0, MAX_TRIES)) {
      try {
        const pixel = await this.pixels.open(instance);
        this.pixels.checkFrameNumbers(pixel, await this.pixels.layout(pixel), [frame]);
        return await this.pixels.readWhole(instance);
      } catch (err) {
        if (!(err instanceof NotFoundError) || scope.sopInstanceUid) throw err;
        lastMiss = err;
      }
    }
    throw new NotFoundError(`no instance with pixel data near the middle of ${scope.seriesUid ? `series ${scope.seriesUid}` : `study ${scope.studyUid}`}: ${lastMiss?.message}`);
  }
}

/** [a, b, c, d, e] → [c, b, d, a, e]. */
function middleOutward(instances: StoredInstance[]): StoredInstance[] {
  const middle = Math.floor((instances.length - 1) / 2);
  const order: StoredInstance[] = [instances[middle]];
  for (let d = 1; order.length < instances.length; d++) {
    if (middle - d >= 0) order.push(instances[middle - d]);
    if (middle + d < instances.length) order.push(instances[middle + d]);
  }
  return order;
}
