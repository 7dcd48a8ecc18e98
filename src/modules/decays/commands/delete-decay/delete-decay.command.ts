import { Command } from '@nestjs/cqrs';

/** Deletes a decay rule of the active OU; points it already removed are not given back (DEC-5). */
export class DeleteDecayCommand extends Command<void> {
  constructor(readonly decayId: string) {
    super();
  }
}
