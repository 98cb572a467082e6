import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { UserEntity } from './user.entity';

export interface NewUser {
  username: string;
  passwordHash: string;
  roles: string[];
}

const UNIQUE_VIOLATION = '23505';

/** All TypeORM calls for users. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  /** Inserts the user; null when the username is taken (also when another node won a race). */
  async insert(user: NewUser): Promise<UserEntity | null> {
    try {
      return await this.users.save(this.users.create({ ...user, disabled: false }));
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) return null;
      throw err;
    }
  }

  /** Returns false when no such user exists. */
  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    const result = await this.users.update({ username }, { disabled });
    return (result.affected ?? 0) > 0;
  }

  /** Returns false when no such user exists. */
  async setRoles(username: string, roles: string[]): Promise<boolean> {
    const result = await this.users.update({ username }, { roles });
    return (result.affected ?? 0) > 0;
  }

  /** Returns false when no such user exists. */
  async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    const result = await this.users.update({ username }, { passwordHash });
    return (result.affected ?? 0) > 0;
  }
}
