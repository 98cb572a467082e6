import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from './auth.decorators';
import { CreateUserDto, UserView } from './dto/create-user.dto';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('api/users')
@RequirePermission('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserView, description: 'User created' })
  @ApiBadRequestResponse({ description: 'Invalid username, password or role' })
  @ApiConflictResponse({ description: 'A user with this username exists' })
  async create(@Body() body: CreateUserDto): Promise<UserView> {
    return toView(await this.users.createUser(body.username, body.password, body.roles));
  }

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserView, isArray: true })
  async list(): Promise<UserView[]> {
    return (await this.users.listUsers()).map(toView);
  }
}

function toView(user: UserEntity): UserView {
  return { username: user.username, roles: user.roles, disabled: user.disabled };
}
