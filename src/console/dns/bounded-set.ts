/** A set that forgets its oldest members past a size limit: memory stays bounded under floods. */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(private readonly limit: number) {}

  has(key: string): boolean {
    return this.items.has(key);
  }

  add(key: string): void {
    if (this.items.has(key)) return;
    if (this.items.size >= this.limit) this.items.delete(this.items.values().next().value as string);
    this.items.add(key);
  }
}
